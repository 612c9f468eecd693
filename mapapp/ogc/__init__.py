"""The OGC API - Features door under /ogc/: views, URLs and its part of the OpenAPI document."""
