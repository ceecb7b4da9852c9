"""Serving stored uploads safely: the content type comes from the file's bytes, never its name.

An uploaded image keeps the name the member gave it, so `FileResponse`'s guess from the name would
serve `chop.html` (a valid PNG with HTML inside) as `text/html`. `image_response` answers
`image/png` or `image/jpeg` from the magic bytes, and anything else as a download
(`application/octet-stream`, `Content-Disposition: attachment`). `X-Content-Type-Options: nosniff`
comes from SecurityMiddleware on every response (SECURE_CONTENT_TYPE_NOSNIFF).
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def image_type(head: bytes) -> str | None:
    for magic, content_type in IMAGE_TYPES:
        if head.startswith(magic):
            return content_type
    return None


def image_response(file: FieldFile) -> FileResponse:
    handle = file.open("rb")
    head = handle.read(16)
    handle.seek(0)
    content_type = image_type(head)
    if content_type is None:
        return FileResponse(
            handle, as_attachment=True, filename="file.bin", content_type="application/octet-stream"
        )
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response
