"""What an uploaded file really is, judged from its first bytes rather than its name."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also .docx/.xlsx/.odt containers
    (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),  # legacy .doc/.xls
]


def sniff_content_type(upload: UploadedFile) -> str:
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"
