"""The HTML doors: public pages, contributing, accounts and moderation.

Views parse the request, read through mapapp.reads, write through mapapp.services and render
templates; they never import the API or OGC doors.
"""
