"""What an uploaded file really is, judged from its first bytes rather than its name."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from mpoffice.lib.sniff import HEAD_BYTES, sniff_bytes


def sniff_content_type(upload: UploadedFile) -> str:
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return sniff_bytes(head)
