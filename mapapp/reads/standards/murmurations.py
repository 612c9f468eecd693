"""A Murmurations organisation profile of an entry (schema organizations_schema-v1.0.0).

The profile holds the schema's fields we can fill truthfully from the public projection;
locality and postal_code are Murmurations library fields beyond that schema (profiles may
carry more than their schemas ask), the postcode only as public (its outward part unless the
location is exact). We keep no country or region, so none is claimed, and no status: a
published entry is believed to be running, but "active" is the group's to say.
"""

from datetime import UTC, datetime, time

from mapapp.reads.standards import short_description, web_url

SCHEMA = "organizations_schema-v1.0.0"
# The schema's limits (its library fields): at most 100 tags of at most 100 characters.
MAX_TAGS = 100
MAX_TAG_LENGTH = 100


def entry_profile(record):
    """The Murmurations profile (a dict) of one entry's PublicRecord."""
    properties = record.properties
    website = web_url(properties["website"])
    profile = {
        "linked_schemas": [SCHEMA],
        "name": properties["name"],
        # The group's own site is its definitive address; failing that, its page here.
        "primary_url": website or record.page_url,
        "tags": _tags(properties),
        "description": short_description(properties),
        "urls": _urls(website, record.page_url),
        "geolocation": {"lat": record.latitude, "lon": record.longitude},
        "unique_id": properties["slug"],
    }
    optional = {
        "locality": properties["locality"],
        "postal_code": properties["postcode"],
        "full_address": _full_address(properties),
        "telephone": properties["phone"],
    }
    profile.update({name: value for name, value in optional.items() if value})
    if properties["email"]:
        profile["contact_details"] = {"email": properties["email"]}
    if properties["founded_on"]:
        profile["starts_at"] = _timestamp(properties["founded_on"])
    return {name: value for name, value in profile.items() if value not in ("", [])}


def _tags(properties):
    """The category's name, then the entry's tags: unique, in order, within the limits."""
    tags = [properties["category_name"], *properties["tags"]]
    unique = dict.fromkeys(tag[:MAX_TAG_LENGTH] for tag in tags if tag)
    return list(unique)[:MAX_TAGS]


def _urls(website, page_url):
    urls = [{"name": "Commons Map", "url": page_url}]
    if website:
        urls.append({"name": "Website", "url": website})
    return urls


def _full_address(properties):
    """The public parts of the address on one line (no street unless the location is exact)."""
    parts = (properties["address"], properties["locality"], properties["postcode"])
    return ", ".join(part for part in parts if part)


def _timestamp(day):
    """A date as the Unix timestamp of its midnight in UTC (the schema's starts_at)."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())
