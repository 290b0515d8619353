"""Known campaign platforms: recognised by sender domain, by headers, or by the footer they add.

The list is an office setting, one platform a line::

    38 Degrees | 38degrees.org.uk | sent by a 38 Degrees member

(name | sender domains, comma-separated | footer phrases, semicolon-separated). Platforms that
send "on behalf of" a constituent from their own address put the constituent's in Reply-To; that
address is then the sender that counts and the one a reply goes to.
"""

from __future__ import annotations

import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.core.exceptions import ValidationError

# Headers in which a platform's domain shows (besides From).
_HEADERS = ("Sender", "Return-Path", "List-Id", "List-Unsubscribe", "X-Mailer", "Message-ID", "Reply-To")
MAX_LINE = 500


@dataclass(frozen=True)
class Platform:
    name: str
    domains: tuple[str, ...]  # lowercased
    phrases: tuple[str, ...]  # lowercased


def parse(text: str) -> list[Platform]:
    """The platforms of the setting's text. Raises ValidationError naming the line at fault."""
    platforms = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_LINE:
            raise ValidationError(f"Line {number} is longer than {MAX_LINE} characters.")
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3 or not parts[0]:
            raise ValidationError(f"Line {number}: write “name | domains | phrases”.")
        domains = tuple(d.strip().lower().lstrip("@.") for d in (parts[1] if len(parts) > 1 else "").split(","))
        # Phrases are matched in lowercased text, so they are kept lowercased.
        phrases = tuple(p.strip().lower() for p in (parts[2] if len(parts) > 2 else "").split(";"))
        domains, phrases = tuple(d for d in domains if d), tuple(p for p in phrases if p)
        if not domains and not phrases:
            raise ValidationError(f"Line {number}: give {parts[0]} a sender domain or a footer phrase.")
        if any(" " in domain or "." not in domain for domain in domains):
            raise ValidationError(f"Line {number}: a domain looks like 38degrees.org.uk.")
        platforms.append(Platform(name=parts[0][:100], domains=domains, phrases=phrases))
    return platforms


def parse_lenient(text: str) -> list[Platform]:
    """The platforms of lines that parse; detection skips a bad line rather than stopping."""
    found = []
    for line in (text or "").splitlines():
        try:
            found += parse(line)
        except ValidationError:
            continue
    return found


def footer_phrases(platforms: Sequence[Platform]) -> tuple[str, ...]:
    return tuple(phrase for platform in platforms for phrase in platform.phrases)


@dataclass(frozen=True)
class Envelope:
    """What detection needs from the headers: the platform's traces and the Reply-To."""

    header_text: str
    reply_to: str


def envelope(raw: bytes | memoryview | None) -> Envelope:
    if not raw:
        return Envelope(header_text="", reply_to="")
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(bytes(raw))
    values = [str(headers.get(name, "")) for name in _HEADERS]
    reply_to = next((address for _, address in getaddresses([str(headers.get("Reply-To", ""))]) if address), "")
    return Envelope(header_text=" ".join(values).lower(), reply_to=reply_to.lower())


def _domain_match(domain: str, address_domain: str, header_text: str) -> bool:
    if address_domain == domain or address_domain.endswith("." + domain):
        return True
    return f"@{domain}" in header_text or f".{domain}" in header_text or f"<{domain}" in header_text


def platform_of(platforms: Sequence[Platform], *, sender_email: str, headers: Envelope, text: str) -> Platform | None:
    """The platform this message came through, or None."""
    address_domain = sender_email.rpartition("@")[2].lower()
    lowered = (text or "").lower()
    for platform in platforms:
        if any(_domain_match(domain, address_domain, headers.header_text) for domain in platform.domains):
            return platform
        if any(phrase in lowered for phrase in platform.phrases):
            return platform
    return None
