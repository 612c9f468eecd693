"""The OpenAPI document at /api/v1/schema/: YAML by default, JSON on request."""

from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

SCHEMA_FORMATS = ("json", "yaml")


class SchemaView(SpectacularAPIView):
    """drf-spectacular's schema view, with `?format=json|yaml` choosing the renderer.

    REST_FRAMEWORK's URL_FORMAT_OVERRIDE is off because `format` is the entries' export
    parameter, so the schema reads it itself; an Accept header still works as before.
    """

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get("format")
        if wanted is None:
            return super().perform_content_negotiation(request, force)
        for renderer in self.get_renderers():
            if renderer.format == wanted:
                return renderer, renderer.media_type
        if force:  # the error below is being rendered: as JSON, like the API's other 400s
            return JSONRenderer(), JSONRenderer.media_type
        raise ValidationError({"format": [f"Use {' or '.join(SCHEMA_FORMATS)}, not {wanted!r}."]})
