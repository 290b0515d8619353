"""Reading a raw email into plain values, without the database.

Mail from strangers is often broken: wrong or unknown charsets, raw 8-bit headers, missing
closing boundaries, addresses the RFCs do not allow. The modern ``email`` policy reads most of
it; for a header it rejects we decode the legacy (compat32) value ourselves. Nothing here
raises for bad input except ``Unparseable``, which quarantines the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.utils
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message as EmailMessage

from mpoffice.lib.sniff import HEAD_BYTES, is_executable, sniff_bytes

# Header blocks of real mail are a few KB; past this the "headers" are garbage.
MAX_HEADER_BYTES = 512 * 1024
MAX_MESSAGE_ID = 500
MAX_NAME = 255
_MSGID = re.compile(r"<([^<>\s]{1,498})>")
# Bidirectional overrides and isolates make "gpj.exe" show as "exe.jpg".
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "auto-reply"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster"})


class Unparseable(Exception):
    """The bytes are not an email we can read at all; the reason is shown to managers."""


@dataclass
class ParsedAttachment:
    name: str
    data: bytes
    declared_type: str
    content_type: str
    is_inline: bool
    is_executable: bool


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender_name: str = ""
    sender_email: str = ""
    # [{"name", "email", "kind": "to" | "cc"}]
    recipients: list[dict[str, str]] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""  # as sent: the caller sanitises it
    sent_at: dt.datetime | None = None
    is_automatic: bool = False
    attachments: list[ParsedAttachment] = field(default_factory=list)


# --- Text cleaning ------------------------------------------------------------------------------
def db_text(text: str) -> str:
    """Text PostgreSQL can store: no NUL, and no lone surrogates (bytes the decoder could not
    read come back as surrogates; they are decoded as UTF-8 or replaced)."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; an unknown or wrong charset falls back to UTF-8, then
    Windows-1252 (what "iso-8859-1" usually means), then Latin-1, which never fails."""
    for candidate in (charset, "utf-8", "windows-1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", db_text(text)).split())


def normalise_message_id(raw: str) -> str:
    """``<abc@host>`` -> ``abc@host``: brackets, whitespace and folding removed."""
    ids = message_ids(raw)
    if ids:
        return ids[0]
    return "".join(one_line(raw).split()).strip("<>")[:MAX_MESSAGE_ID]


def message_ids(raw: str) -> list[str]:
    return [one_line(found)[:MAX_MESSAGE_ID] for found in _MSGID.findall(raw or "")]


# --- Headers ------------------------------------------------------------------------------------
def _decode_legacy(value: str) -> str:
    """A compat32 header value: raw 8-bit bytes guessed as UTF-8, then RFC 2047 encoded words."""
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        with contextlib.suppress(UnicodeEncodeError):
            value = decode_bytes(value.encode("ascii", "surrogateescape"), None)
    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - a header we cannot split is kept as it came
        return value
    return "".join(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in parts)


class _Headers:
    """Header values from the modern parse, or from the legacy parse where the modern one fails."""

    def __init__(self, modern: EmailMessage, legacy: EmailMessage) -> None:
        self.modern = modern
        self.legacy = legacy

    def get(self, name: str) -> str:
        try:
            value = self.modern.get(name)
            if value is None:
                return ""
            text = str(value)
            # The modern policy shows undecodable bytes as U+FFFD or surrogates: decode them ourselves.
            if "\ufffd" not in text and text == db_text(text):
                return text
        except Exception:  # noqa: BLE001, S110 - the modern policy rejected it: use the legacy value
            pass
        # The stored value, not compat32's Header object (which shows 8-bit bytes as U+FFFD).
        legacy = next((value for key, value in self.legacy.raw_items() if key.lower() == name.lower()), None)
        return _decode_legacy(str(legacy)) if legacy is not None else ""

    def present(self, name: str) -> bool:
        return self.legacy.get(name) is not None


def _addresses(value: str) -> list[tuple[str, str]]:
    try:
        pairs = email.utils.getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = []
    found = []
    for name, address in pairs:
        address = one_line(address).strip("<>").lower()
        if "@" in address and len(address) <= 254 and " " not in address:
            found.append((one_line(name)[:300], address))
        elif name or address:
            found.append((one_line(name or address)[:300], ""))
    return found


def _date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # RFC 5322 "-0000": time zone unknown, read as UTC
    if not (1970 <= when.year <= 2100):
        return None
    return when


def _is_automatic(headers: _Headers, modern: EmailMessage, sender_email: str) -> bool:
    auto_submitted = headers.get("Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return True
    if headers.get("Precedence").strip().lower() in _AUTO_PRECEDENCE:
        return True
    if headers.present("X-Autoreply") or headers.present("X-Autorespond") or headers.present("X-Autoresponder"):
        return True
    try:
        if modern.get_content_type() == "multipart/report":
            return True
    except Exception:  # noqa: BLE001, S110
        pass
    return sender_email.partition("@")[0] in _DAEMONS


# --- Body and attachments -----------------------------------------------------------------------
def display_name(raw: str, fallback: str = "attachment") -> str:
    """A sender's file name made safe to show: the last path component, no control or
    bidirectional characters, at most 255 characters with the extension kept."""
    name = _BIDI.sub("", db_text(raw or ""))
    name = _CONTROL.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    if not name:
        return fallback
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: MAX_NAME - len(extension) - 2]}….{extension}"
        else:
            name = name[: MAX_NAME - 1] + "…"
    return name


def _payload(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822" or part.is_multipart():
        # An attached email is kept as it came: the bytes of the inner message.
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            try:
                return inner[0].as_bytes(policy=policy.compat32)
            except Exception:  # noqa: BLE001
                return str(inner[0]).encode("utf-8", "surrogateescape")
        return b""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name is None:
        try:
            name = part.get_param("name")
        except Exception:  # noqa: BLE001
            name = None
        if isinstance(name, tuple):  # an RFC 2231 value the helper did not collapse
            name = email.utils.collapse_rfc2231_value(name)
    name = _decode_legacy(str(name)) if name else ""
    return name


def _leaves(part: EmailMessage, depth: int = 0) -> list[EmailMessage]:
    """The parts to read, in order; an attached email (message/rfc822) is one leaf, not opened."""
    if depth > 50:  # a hostile nesting; what lies deeper is in the raw bytes
        return []
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        if not isinstance(payload, list):
            return [part]  # a multipart without parts: its body is text to keep
        found = []
        for child in payload:
            if isinstance(child, EmailMessage):
                found.extend(_leaves(child, depth + 1))
        return found
    return [part]


_DEFAULT_NAMES = {"text/calendar": "invite.ics", "message/rfc822": "message.eml"}


def _read_parts(root: EmailMessage, parsed: ParsedEmail) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for part in _leaves(root):
        try:
            content_type = part.get_content_type()
            disposition = part.get_content_disposition()
        except Exception:  # noqa: BLE001
            content_type, disposition = "application/octet-stream", "attachment"
        name = _filename(part)
        is_body = disposition != "attachment" and not name
        if is_body and content_type in ("text/plain", "text/html"):
            charset = None
            with contextlib.suppress(Exception):
                charset = part.get_content_charset()
            text = db_text(decode_bytes(_payload(part), charset))
            (texts if content_type == "text/plain" else htmls).append(text)
            continue
        if part is root and content_type.startswith("multipart/"):
            continue
        data = _payload(part)
        if not data and not name:
            continue
        if content_type == "message/rfc822" and not name:
            inner = part.get_payload()
            subject = inner[0].get("Subject", "") if isinstance(inner, list) and inner else ""
            name = f"{_decode_legacy(str(subject))[:100]}.eml" if subject else ""
        shown = display_name(name, _DEFAULT_NAMES.get(content_type, "attachment"))
        parsed.attachments.append(
            ParsedAttachment(
                name=shown,
                data=data,
                declared_type=one_line(content_type)[:100],
                content_type=sniff_bytes(data[:HEAD_BYTES]) if content_type != "message/rfc822" else content_type,
                is_inline=disposition == "inline",
                is_executable=is_executable(name=shown, head=data[:HEAD_BYTES]),
            )
        )
    parsed.text = "\n\n".join(texts).strip()
    parsed.html = "\n".join(htmls).strip()


# --- The whole message --------------------------------------------------------------------------
def split_headers(raw: bytes) -> bytes:
    """The header block (up to the first empty line)."""
    match = re.search(rb"\r?\n\r?\n", raw[:MAX_HEADER_BYTES])
    return raw[: match.start()] if match else raw[:MAX_HEADER_BYTES]


def peek_message_id(raw: bytes) -> str:
    """The normalised Message-ID from the headers alone, for deduplication before parsing."""
    try:
        legacy = email.message_from_bytes(split_headers(raw) + b"\n\n", policy=policy.compat32)
        value = legacy.get("Message-ID")
    except Exception:  # noqa: BLE001
        return ""
    return normalise_message_id(_decode_legacy(str(value))) if value is not None else ""


def parse_email(raw: bytes, *, headers_only: bool = False) -> ParsedEmail:
    """Everything we read from ``raw``. ``headers_only`` (oversize mail) skips the body."""
    if not raw.strip():
        raise Unparseable("The message is empty.")
    source = split_headers(raw) + b"\n\n" if headers_only else raw
    try:
        modern = email.message_from_bytes(source, policy=policy.default)
        legacy = email.message_from_bytes(source, policy=policy.compat32)
    except Exception as error:  # noqa: BLE001 - the parser itself gave up
        raise Unparseable(f"The email parser failed: {type(error).__name__}.") from None
    if not any(True for _ in legacy):
        raise Unparseable("No email headers were found.")
    headers = _Headers(modern, legacy)
    parsed = ParsedEmail()
    parsed.message_id = normalise_message_id(headers.get("Message-ID"))
    parsed.in_reply_to = message_ids(headers.get("In-Reply-To"))
    parsed.references = message_ids(headers.get("References"))
    senders = _addresses(headers.get("From")) or _addresses(headers.get("Sender"))
    if senders:
        parsed.sender_name, parsed.sender_email = senders[0]
    for kind in ("to", "cc"):
        for name, address in _addresses(headers.get(kind)):
            parsed.recipients.append({"name": name, "email": address, "kind": kind})
    parsed.recipients = parsed.recipients[:200]
    parsed.subject = one_line(headers.get("Subject"))[:1000]
    parsed.sent_at = _date(headers.get("Date"))
    parsed.is_automatic = _is_automatic(headers, modern, parsed.sender_email)
    if not headers_only:
        _read_parts(modern, parsed)
    return parsed
