"""Shared reads: what every door (pages, API, OGC, feeds) asks of the entries.

filters (one vocabulary and parser of entry filters, and the queryset they select), public (the
public projection of an entry — the one home of the privacy rule — and the public field list),
geojson (public features from one row layout), statements (page SQL compiled once per shape, the
dataset's last change), schema (the features' JSON Schema for the docs), history (an entry's
public history), similar (likely duplicates nearby), vocabulary (categories and tags with
their counts) and feeds (what the Atom feeds say). Nothing here knows HTTP frameworks: doors
parse requests with these functions and translate their errors.
"""
