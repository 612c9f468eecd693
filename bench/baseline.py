"""The baseline our list endpoint must beat: the textbook drf-gis way to serve the same data.

A GeoFeatureModelSerializer per object with InBBoxFilter, fed by a queryset that already avoids
N+1 queries (select_related + prefetch_related), so the comparison is with a well-written
conventional endpoint, not a careless one.
"""

from rest_framework import generics, serializers
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from mapapp.models import Entry


class BaselineEntrySerializer(GeoFeatureModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Entry
        geo_field = "public_point"
        id_field = "slug"
        fields = [
            "slug",
            "name",
            "category",
            "tags",
            "summary",
            "locality",
            "threat",
            "precision",
            "updated_at",
        ]


class BaselineEntryList(generics.ListAPIView):
    serializer_class = BaselineEntrySerializer
    filter_backends = [InBBoxFilter]
    bbox_filter_field = "public_point"
    bbox_filter_include_overlapping = True
    pagination_class = None
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def get_queryset(self):
        return (
            Entry.objects.published()
            .select_related("category")
            .prefetch_related("tags")
            .order_by("name", "id")
        )
