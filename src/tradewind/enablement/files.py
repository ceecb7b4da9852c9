"""Library files: the type comes from the bytes, never the name; downloads are always attachments.

A catalogue called `catalogue.html` that is really HTML must not run in our origin, so every
download is `Content-Disposition: attachment` with the type sniffed at upload (core/uploads.py
does the same for images): PDF, PNG, JPEG, GIF, WebP, MP4, the Office Open XML formats (a ZIP
holding `word/`, `xl/` or `ppt/`), other ZIPs and UTF-8 text; anything else is
`application/octet-stream`. `X-Content-Type-Options: nosniff` comes from SecurityMiddleware.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from django.http import FileResponse

from tradewind.core.uploads import image_type

MAX_BYTES = 20 * 1024 * 1024
OCTET = "application/octet-stream"
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(data: bytes) -> str:
    head = data[:32]
    found = image_type(head)
    if found:
        return found
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if _is_text(data):
        return "text/plain"
    return OCTET


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()[:200]
    except (zipfile.BadZipFile, ValueError, OSError):
        return OCTET
    for prefix, content_type in OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return content_type
    return "application/zip"


def _is_text(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3  # a character cut at the sample's end
    return True


def safe_name(name: str) -> str:
    """The member's file name without directories or control characters (at most 200)."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return (cleaned or "file")[:200]


def download(item: object) -> FileResponse:
    """The item's file as an attachment, typed as sniffed at upload."""
    handle = item.file.open("rb")  # type: ignore[attr-defined]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.file_name or "file",  # type: ignore[attr-defined]
        content_type=item.file_type or OCTET,  # type: ignore[attr-defined]
    )
    response["Cache-Control"] = "private, no-store"
    return response
