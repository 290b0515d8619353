import logging

from mpoffice.lib.logscrub import ScrubPersonalDataFilter, scrub


def test_it_scrubs_emails_postcodes_and_phone_numbers():
    text = "Login failed for jane.doe+x@example.co.uk at SW1A 1AA, call 07700 900123"
    assert scrub(text) == "Login failed for [email] at [postcode], call [number]"


def test_it_keeps_ids_and_times():
    assert scrub("case 4521 updated at 12:30 by user 7") == "case 4521 updated at 12:30 by user 7"


def test_it_scrubs_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "bad user %s", ("a@b.org",), None)
    try:
        raise ValueError("m1 1ae is not allowed")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == "bad user [email]"
    assert "m1 1ae" not in record.exc_text
    assert "[postcode]" in record.exc_text


def test_the_configured_handler_scrubs(caplog):
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, ScrubPersonalDataFilter) for f in handler.filters)
