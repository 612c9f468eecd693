"""Static files under content-hashed names, so browsers may cache them for a year."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    # Our ES modules import each other by relative path ("./api.js"); rewrite those imports
    # to the hashed names too, or a browser holding last year's main.js would load new modules.
    support_js_module_import_aggregation = True
