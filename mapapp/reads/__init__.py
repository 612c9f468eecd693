"""Shared reads: what every door (pages, API, OGC) asks of the entries.

filters (one vocabulary and parser of entry filters, and the queryset they select), geojson (the
public features, one row layout), statements (page SQL compiled once per shape, the dataset's
last change) and schema (the features' JSON Schema for the docs). Nothing here knows HTTP
frameworks: doors parse requests with these functions and translate their errors.
"""
