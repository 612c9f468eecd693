"""schema.org JSON-LD for an entry, with ESSGlobal terms where they fit.

Most entries are groups (tenants' unions, timebanks, gardens, social centres, campaigns), so
they are schema.org `Organization`s, with their public point as the `location`'s `geo` (geo
belongs to Place, not Organization). Public goods are libraries, parks, pools and other public
services and spaces: places rather than organisations, so they are `CivicStructure`s (a Place)
and carry their point and address themselves; a Place has no email or founding date.

ESSGlobal (the RIPESS vocabulary of the social solidarity economy, http://purl.org/essglobal/
— its IRIs are http, and an https prefix would name terms nobody defined) types the groups as
`essglobal:SSEInitiative`; a public service is not an SSE initiative, so public goods are not.
Its activities (the "Activities (Modified)" scheme) give a primarySector only where one of ours
truly means one of its: campaigns and community organising are "Campaigning, Activism &
Advocacy", convivial spaces "Community & Collective Spaces". Commoning and reciprocal working
span several of its activities (food, repair, money...) and get none. ESSGlobal's qualifiers
describe products and services, not initiatives, so none are used.
"""

from mapapp.reads.standards import short_description, web_url

ESSGLOBAL = "http://purl.org/essglobal/vocab/"
ACTIVITIES = "http://purl.org/essglobal/standard/activities-modified/"
CONTEXT = {
    "@vocab": "https://schema.org/",
    "essglobal": ESSGLOBAL,
    # As schema.org's own context says: these hold addresses, not text.
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}
# Category slug: ESSGlobal activity (Activities (Modified)), only where the meaning is the same.
PRIMARY_SECTORS = {
    "campaigns-resistance": "AM20",  # Campaigning, Activism & Advocacy
    "community-organising": "AM20",
    "convivial-spaces": "AM30",  # Community & Collective Spaces
}
PLACE_CATEGORIES = {"public-goods"}


def entry_jsonld(record):
    """The JSON-LD document (a dict) of one entry's PublicRecord."""
    properties = record.properties
    if properties["category"] in PLACE_CATEGORIES:
        return _place(record)
    data = {
        "@context": CONTEXT,
        "@type": ["Organization", "essglobal:SSEInitiative"],
        **_common(record),
        "location": {"@type": "Place", **_where(record)},
    }
    if address := _address(properties):
        data["address"] = address
    if properties["email"]:
        data["email"] = properties["email"]
    if properties["founded_on"]:
        data["foundingDate"] = properties["founded_on"].isoformat()
    if sector := PRIMARY_SECTORS.get(properties["category"]):
        data["essglobal:primarySector"] = {"@id": ACTIVITIES + sector}
    return data


def _place(record):
    return {"@context": CONTEXT, "@type": "CivicStructure", **_common(record), **_where(record)}


def _common(record):
    """What an organisation and a place say alike."""
    properties = record.properties
    data = {
        "@id": record.page_url,
        "name": properties["name"],
        "url": record.page_url,
    }
    if description := short_description(properties):
        data["description"] = description
    if website := web_url(properties["website"]):
        data["sameAs"] = website
    if properties["phone"]:
        data["telephone"] = properties["phone"]
    if properties["tags"]:
        data["keywords"] = properties["tags"]
    return data


def _where(record):
    """geo (the public point) and the public parts of the address."""
    where = {
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": record.latitude,
            "longitude": record.longitude,
        }
    }
    if address := _address(record.properties):
        where["address"] = address
    return where


def _address(properties):
    """A PostalAddress of the public parts only (reads.public withheld the rest), or None."""
    parts = {
        "streetAddress": properties["address"],
        "addressLocality": properties["locality"],
        "postalCode": properties["postcode"],
    }
    parts = {name: value for name, value in parts.items() if value}
    return {"@type": "PostalAddress", **parts} if parts else None
