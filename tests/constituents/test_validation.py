"""Postcodes, phones and emails: normalised, or refused with a message saying what is wrong."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from constituents.validation import display_phone, normalise_email, normalise_phone, normalise_postcode

anything = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(["", "\x00", " " * 10, "+" * 30])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  SW1A   1AA ", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr26xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("gir 0aa", "GIR 0AA"),
        ("bfpo 1234", "BFPO 1234"),
    ],
)
def test_it_normalises_uk_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "SW1A", "SW1A 1AAA", "Q1 1AA1", "not a postcode"])
def test_it_says_why_a_postcode_is_refused(raw):
    with pytest.raises(ValidationError, match=r"is not a UK postcode\. It should look like SW1A 1AA"):
        normalise_postcode(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0113 496 0123", "+441134960123"),
        ("+44 (0)20 7946 0123", "+442079460123"),
        ("020-7946-0123", "+442079460123"),
        ("+33 1 23 45 67 89", "+33123456789"),
    ],
)
def test_it_normalises_phone_numbers_to_e164(raw, expected):
    assert normalise_phone(raw) == expected
    assert normalise_phone(expected) == expected


def test_it_says_why_a_phone_number_is_refused():
    with pytest.raises(ValidationError, match="is not a phone number"):
        normalise_phone("call me")
    with pytest.raises(ValidationError, match="check the number of digits"):
        normalise_phone("0113 496")


def test_it_displays_uk_numbers_nationally_and_others_internationally():
    assert display_phone("+441134960123") == "0113 496 0123"
    assert display_phone("+33123456789") == "+33 1 23 45 67 89"
    assert display_phone("rubbish") == "rubbish"


def test_it_lowercases_emails_and_says_what_is_wrong():
    assert normalise_email("  Jo.Bloggs@Example.COM ") == "jo.bloggs@example.com"
    with pytest.raises(ValidationError, match="it needs an @"):
        normalise_email("jo.example.com")
    with pytest.raises(ValidationError, match="is not a valid email address"):
        normalise_email("jo@@example")


def _outcome(normalise, raw):
    """(result, None) or (None, message): anything but a ValidationError escapes and fails the test."""
    try:
        return normalise(raw), None
    except ValidationError as error:
        return None, error.messages[0]


@settings(max_examples=300, deadline=None)
@given(raw=anything)
def test_it_never_raises_anything_but_a_validation_error_for_a_postcode(raw):
    result, message = _outcome(normalise_postcode, raw)
    assert message or (normalise_postcode(result) == result and len(result) <= 8)


@settings(max_examples=300, deadline=None)
@given(raw=anything | st.from_regex(r"\+?[0-9 ()-]{4,20}", fullmatch=True))
def test_it_never_raises_anything_but_a_validation_error_for_a_phone(raw):
    result, message = _outcome(normalise_phone, raw)
    assert message or (result.startswith("+") and len(result) <= 20 and normalise_phone(result) == result)


@settings(max_examples=300, deadline=None)
@given(raw=anything | st.emails())
def test_it_never_raises_anything_but_a_validation_error_for_an_email(raw):
    result, message = _outcome(normalise_email, raw)
    assert message or (result == result.strip().lower() and len(result) <= 254)


def test_it_refuses_an_email_longer_than_the_column():
    with pytest.raises(ValidationError, match="too long"):
        normalise_email("a" * 250 + "@example.com")
