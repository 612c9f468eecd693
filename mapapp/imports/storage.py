"""Where uploaded lists wait between upload and apply: files under IMPORT_DIR, which no URL
serves, named by a random token (never by the uploader's file name)."""

import json
import os
import re
import secrets
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The upload is bigger than IMPORT_MAX_UPLOAD_BYTES."""


def extension(filename):
    """The file name's extension, lower-cased, as read_table chooses a reader by it."""
    kind = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return kind if re.fullmatch(r"[a-z0-9]{1,10}", kind) else ""


def store(upload, filename):
    """Copy upload (a binary file) into IMPORT_DIR; return its name there. Refuses with
    TooLarge, leaving nothing behind, once more than IMPORT_MAX_UPLOAD_BYTES have been read."""
    root = Path(settings.IMPORT_DIR)
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension(filename) or 'upload'}"
    path = root / name
    limit, size = settings.IMPORT_MAX_UPLOAD_BYTES, 0
    chunks = (
        upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    )
    try:
        with open(path, "xb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(size)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


def path_of(name):
    """The stored file's path; refuses a name that would leave IMPORT_DIR."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(f"No stored import file {name!r}.")
    return Path(settings.IMPORT_DIR) / name


def delete(name):
    """Delete a stored file and its progress note, if they are still there."""
    if not name:
        return
    path = path_of(name)
    path.unlink(missing_ok=True)
    progress_path(name).unlink(missing_ok=True)


def progress_path(name):
    return path_of(name).with_name(f"{name}.progress")


def write_progress(name, done, total):
    """Note a long transaction's progress beside its file: the transaction's own writes are
    invisible to the page polling for them until it commits (and SpatiaLite lets no other
    connection write meanwhile)."""
    note = progress_path(name)
    partial = note.with_name(f"{note.name}.part")
    partial.write_text(json.dumps({"done": done, "total": total}))
    os.replace(partial, note)


def read_progress(name):
    """(done, total) from the progress note, or None if there is none."""
    try:
        data = json.loads(progress_path(name).read_text())
        return int(data["done"]), int(data["total"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
