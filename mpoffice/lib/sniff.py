"""What a file really is, judged from its first bytes rather than its name or declared type.

Used for staff uploads (casework) and for email attachments (correspondence): a sender's
``Content-Type`` and file name are claims, not facts.
"""

from __future__ import annotations

import re

_SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also .docx/.xlsx/.odt and .jar containers
    (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),  # legacy .doc/.xls, and .msi
    (b"MZ", "application/x-msdownload"),  # Windows executables and DLLs
    (b"\x7fELF", "application/x-executable"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),  # also Java classes
]
# Enough of a file to recognise it.
HEAD_BYTES = 16

EXECUTABLE_EXTENSIONS = frozenset(
    {"exe", "js", "vbs", "scr", "bat", "cmd", "ps1", "jar", "msi", "com", "pif", "hta", "wsf", "lnk", "cpl", "jse"}
)
_EXECUTABLE_TYPES = frozenset({"application/x-msdownload", "application/x-executable", "application/x-mach-binary"})
_TRAILING = re.compile(r"[\s.]+$")


def sniff_bytes(head: bytes) -> str:
    """The content type the first bytes show; text/plain for UTF-8 text, else octet-stream."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    try:
        head[:HEAD_BYTES].decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the head is still text.
        try:
            head[: HEAD_BYTES - 3].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    return "text/plain"


def is_executable(*, name: str, head: bytes) -> bool:
    """Would opening it run code? By the name's extension (Windows ignores trailing dots and
    spaces, so "evil.exe. " counts) or by executable magic bytes or a script's #!."""
    extension = _TRAILING.sub("", name).rpartition(".")[2].lower() if "." in name else ""
    return extension in EXECUTABLE_EXTENSIONS or sniff_bytes(head) in _EXECUTABLE_TYPES or head.startswith(b"#!")
