"""What the public may see of an entry: its public fields and the one home of the privacy rule.

Every public surface — the API's and OGC API's features, the downloads, the entry page and its
JSON-LD, the suggestion form — shows an entry through this module. The rule: the point shown is
the stored public point at PUBLIC_DECIMALS (never the exact location), the street address only
when the precision is exact, and otherwise the postcode's outward part alone ("BS5", not
"BS5 9QQ").

PUBLIC_FIELDS lists, once and in the order downloads give them, what a public entry says: each
with the property name every surface uses and the model field it is read from. Features,
downloads, JSON-LD and the documentation's schemas (reads.schema) are derived from it.
"""

import re
from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.urls import reverse

from mapapp.models import Entry

# A UK postcode's outward part (the area and district, "LS6"), with or without its inward part
# ("2AB") after it, spaced or not: "LS62AB" must show "LS6", never itself.
OUTWARD_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{2})?")

# Decimals of a public point wherever it is shown (about 10 cm): API, exports, OGC, pages, forms.
PUBLIC_DECIMALS = 6


@dataclass(frozen=True)
class PublicField:
    name: str  # the property name every surface uses
    source: str  # the model field (or related field, "category__slug") it is read from
    summary: bool = False  # on every map page of features, not only on details and downloads
    description: str = ""  # for the documentation, when the model's help text says too little

    @cached_property
    def model_field(self):
        """The model field behind source, following relations."""
        model, *path = Entry, *self.source.split("__")
        for name in path[:-1]:
            model = model._meta.get_field(name).related_model
        return model._meta.get_field(path[-1])

    @property
    def is_datetime(self):
        return isinstance(self.model_field, models.DateTimeField)

    @property
    def is_boolean(self):
        return isinstance(self.model_field, models.BooleanField)


PUBLIC_FIELDS = (
    PublicField("slug", "slug", summary=True),
    PublicField("name", "name", summary=True),
    PublicField("category", "category__slug", summary=True, description="category slug"),
    # Stored space-separated (tag_slugs); every surface gives a list.
    PublicField("tags", "tag_slugs", summary=True, description="tag slugs"),
    PublicField("summary", "summary", summary=True),
    PublicField("description", "description"),
    PublicField("founded_on", "founded_on"),
    PublicField("locality", "locality", summary=True),
    PublicField("address", "address", description="street address; empty unless exact"),
    PublicField("postcode", "postcode", description="only the outward part unless exact"),
    PublicField("website", "website"),
    PublicField("email", "email"),
    PublicField("phone", "phone"),
    PublicField("opening_times", "opening_times"),
    PublicField("threat", "threat", summary=True),
    PublicField("threat_note", "threat_note"),
    PublicField(
        "precision",
        "precision",
        summary=True,
        description="approximate and area entries are shown at a derived public point",
    ),
    PublicField("updated", "updated_at", summary=True),
    PublicField("published", "published_at"),
    # Freshness (mapapp.services.freshness): who verified is a role, never a person.
    PublicField(
        "verified",
        "verified_at",
        summary=True,
        description="when it was last confirmed to be running; null if never",
    ),
    PublicField(
        "verified_by",
        "verified_by",
        description="who last confirmed it: owner, moderator or community; empty if never",
    ),
    PublicField(
        "confirmations",
        "confirmations",
        description="how many times visitors said they were there recently and it is still there",
    ),
    PublicField("confirmed", "confirmed_at", description="when a visitor last said so"),
    PublicField(
        "unverified",
        "unverified",
        summary=True,
        description="nobody confirmed it still runs through several reminders' time",
    ),
    PublicField("category_name", "category__name"),
    PublicField("licence", "licence"),
    PublicField("source", "source"),
    # Provenance of an imported entry (mapapp.imports): the row of its source, and when.
    PublicField(
        "source_row_id",
        "source_row_id",
        description="its row's id in the source it was imported from; empty if none",
    ),
    PublicField(
        "imported", "imported_at", description="when an import last wrote it; null if never"
    ),
    PublicField("version", "version", description="send as If-Match to change it"),
)
SUMMARY_FIELDS = tuple(field for field in PUBLIC_FIELDS if field.summary)


def public_address(precision, address, postcode):
    """(address, postcode) as the public may see them: nothing street-level unless exact."""
    if precision == Entry.Precision.EXACT:
        return address, postcode
    return "", outward_postcode(postcode)


def outward_postcode(postcode):
    """The outward part of a postcode, upper-cased; "" for anything not shaped like one, since
    a value we cannot take apart might be the full postcode."""
    match = OUTWARD_POSTCODE.fullmatch(postcode.strip().upper())
    return match[1] if match else ""


def withhold(properties):
    """Apply the privacy rule, in place, to an entry's public properties (a row's or an
    instance's alike) and return them."""
    properties["address"], properties["postcode"] = public_address(
        properties["precision"], properties["address"], properties["postcode"]
    )
    return properties


def public_properties(entry):
    """An entry's public properties, as its detail feature gives them, read from the model."""
    properties = {field.name: _read(entry, field.source) for field in PUBLIC_FIELDS}
    properties["tags"] = properties["tags"].split()
    properties["url"] = entry_path(entry.slug)
    return withhold(properties)


def entry_path_parts():
    """The entry page's path either side of its slug, ("/entries/", "/"), from the URLconf.
    Callers making many features ask once per page, not once per feature."""
    prefix, _, suffix = reverse("entry-detail", kwargs={"slug": "slug"}).rpartition("slug")
    return prefix, suffix


def entry_path(slug):
    prefix, suffix = entry_path_parts()
    return f"{prefix}{slug}{suffix}"


def public_point(entry):
    """(longitude, latitude) of the point the public sees, at PUBLIC_DECIMALS."""
    point = entry.public_point
    return round(point.x, PUBLIC_DECIMALS), round(point.y, PUBLIC_DECIMALS)


def _read(instance, source):
    for name in source.split("__"):
        instance = getattr(instance, name)
    return instance
