"""Readable ASCII slugs for any name: transliterated where possible, never empty."""

import hashlib
import unicodedata

from slugify import slugify


def slug_for(text, fallback, max_length=200):
    """A slug for text: "Библиотека" → "biblioteka", "图书馆" → "tu-shu-guan".

    When nothing transliterates (emoji, punctuation) the slug is fallback plus a short hash of
    the text, so it is stable (the same text always gives the same slug, as tag look-ups need)
    and different texts rarely share one.
    """
    slug = slugify(text or "", max_length=max_length)
    if slug:
        return slug
    normalized = unicodedata.normalize("NFC", (text or "").strip())
    if not normalized:
        return fallback
    digest = hashlib.blake2s(normalized.encode("utf-8", "replace"), digest_size=3).hexdigest()
    return f"{fallback}-{digest}"
