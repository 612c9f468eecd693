"""An entry's public projection (reads.public) in other people's standards: schema.org JSON-LD
with ESSGlobal terms (jsonld), a Murmurations organisation profile (murmurations) and an Open
Referral HSDS data package (hsds).

Each is shaped from what the public may see of an entry and nothing else: its public properties
(withheld street address and inward postcode already gone) and its public point, read once by
`public_record`, or for many entries from the detail feature rows the downloads read.
"""

from dataclasses import dataclass

from mapapp.reads.public import public_point, public_properties


@dataclass(frozen=True)
class PublicRecord:
    """What every standard is made from: public properties, the public point, the page."""

    properties: dict
    longitude: float
    latitude: float
    page_url: str  # the entry page's absolute URL


def public_record(entry, absolute):
    """The record of one entry; absolute(path) makes a path an absolute URL."""
    properties = public_properties(entry)
    longitude, latitude = public_point(entry)
    return PublicRecord(properties, longitude, latitude, absolute(properties["url"]))


def feature_record(feature, absolute):
    """The record of one detail feature (reads.geojson, geometry already parsed)."""
    longitude, latitude = feature["geometry"]["coordinates"]
    properties = feature["properties"]
    return PublicRecord(properties, longitude, latitude, absolute(properties["url"]))


def short_description(properties):
    """The entry in a sentence or a paragraph: its summary, else its description."""
    return properties["summary"] or properties["description"]


def web_url(website):
    """The entry's own website when it is an http(s) address (URLField also allows ftp)."""
    return website if website.startswith(("http://", "https://")) else ""
