"""File names that say what a file is.

Discord and Slack decide an attachment's type from its file name, not from what the upload says:
discord.py sends every file as `application/octet-stream` (its multipart builder sets that content type
itself, and `discord.File` takes none), and Slack's external upload takes only a name and a length.
So a FileOut whose name does not carry its type (a PNG called `chart`) would be shown as a download,
not a picture. `upload_name` gives such a file the extension of its MIME type.
"""

from __future__ import annotations

import mimetypes

from bot.messages import FileOut

GENERIC = frozenset({"", "application/octet-stream"})
#: mimetypes' first guess for these is a rare extension (`.jpe`, `.ksh`); members expect the usual one
PREFERRED = {"image/jpeg": ".jpg", "text/plain": ".txt", "text/calendar": ".ics", "text/csv": ".csv",
             "application/json": ".json", "image/png": ".png", "application/pdf": ".pdf"}


def _base(mime: str) -> str:
    return mime.split(";", 1)[0].strip().casefold()


def type_of_name(name: str) -> str | None:
    """The MIME type a platform will take this name for (as Python's mimetypes sees it)."""
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return _base(guessed) if guessed else None


def upload_name(file: FileOut) -> str:
    """`file.name`, with the extension of its MIME type appended when the name says another type (or none)."""
    mime = _base(file.mime)
    if mime in GENERIC or type_of_name(file.name) == mime:
        return file.name
    extension = PREFERRED.get(mime) or mimetypes.guess_extension(mime, strict=False)
    if not extension:
        return file.name  # a type without a known extension: the name is all we can send
    return file.name + extension
