"""Postcodes, phone numbers and emails: validated and normalised, with errors that say what is wrong."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# The UK postcode shapes (outward code, space, inward code), after removing spaces. BFPO and
# GIR 0AA are accepted too.
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}|BFPO\d{1,4})$")


def normalise_postcode(raw: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'. Raises ValidationError naming the problem."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    if not compact:
        raise ValidationError("Enter a postcode.", code="required")
    if not _POSTCODE.match(compact):
        raise ValidationError(
            f"“{raw.strip()[:20]}” is not a UK postcode. It should look like SW1A 1AA.", code="invalid_postcode"
        )
    if compact.startswith("BFPO"):
        return f"BFPO {compact[4:]}"
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_phone(raw: str) -> str:
    """A UK or international number in E.164 form ('+447700900123')."""
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(f"“{text[:30]}” is not a phone number.", code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"“{text[:30]}” is not a valid phone number: check the number of digits.", code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """Trimmed and lower-cased, so duplicate checks and inbound-mail matching compare like with like.

    Mailbox names are case-insensitive at every mainstream provider; storing one form lets the
    (office, email) index answer exact lookups.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter an email address.", code="required")
    if len(text) > 254:
        raise ValidationError("That email address is too long: 254 characters at most.", code="invalid_email")
    if "@" not in text:
        raise ValidationError(
            f"“{text[:40]}” is not an email address: it needs an @, like name@example.com.", code="invalid_email"
        )
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError(
            f"“{text[:40]}” is not a valid email address: check for spaces or typing errors (name@example.com).",
            code="invalid_email",
        ) from None
    return text.lower()


def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
