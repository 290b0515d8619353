"""Every well-formed message of the corpus is parsed with its sender, subject, text and
attachments; quarantine is not a pass. The malformed ones never stop a run and keep their bytes."""

from __future__ import annotations

import pytest

from correspondence.models import Attachment, ParseState
from tests.correspondence.conftest import CORPUS, EXPECTED, corpus_bytes, ingest_bytes

WELL_FORMED = sorted(EXPECTED)
MALFORMED = sorted(p.name for p in CORPUS.glob("malformed-*.eml"))


def test_it_has_a_corpus_of_at_least_thirty_difficult_emails():
    assert len(WELL_FORMED) >= 30
    assert MALFORMED
    assert {p.name for p in CORPUS.glob("*.eml")} == set(WELL_FORMED) | set(MALFORMED)


@pytest.mark.parametrize("name", WELL_FORMED)
def test_it_parses_each_well_formed_email(office, name):
    expected = EXPECTED[name]
    raw = corpus_bytes(name)
    row, message = ingest_bytes(office, raw)
    assert row.parse_state == ParseState.PARSED, row.parse_error
    assert bytes(row.raw) == raw
    assert message.sender_email == expected["sender"]
    assert message.subject == expected["subject"]
    assert expected["text"] in message.text
    names = list(Attachment.objects.for_office(office).filter(message=message).values_list("name", flat=True))
    assert names == expected["attachments"]


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_mail_is_kept_and_never_raises(office, name):
    raw = corpus_bytes(name)
    row, _ = ingest_bytes(office, raw)
    assert bytes(row.raw) == raw
    assert row.parse_state in (ParseState.PARSED, ParseState.QUARANTINED)
    if row.parse_state == ParseState.QUARANTINED:
        assert row.parse_error


def test_html_is_sanitised(office):
    _, message = ingest_bytes(office, corpus_bytes("xss.eml"))
    html = message.html.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg"):
        assert bad not in html
    assert 'href="https://good.example/"' in html
    assert 'rel="noopener noreferrer"' in html
    # The hostile subject and name are kept as text: the templates escape them.
    assert message.subject.startswith("<script>")


def test_remote_images_are_not_loaded(office):
    _, message = ingest_bytes(office, corpus_bytes("html-only.eml"))
    assert " src=" not in message.html
    assert 'data-remote-src="https://tracker.example.com/pixel.gif"' in message.html
    assert "color:red" not in message.html
    assert "<style" not in message.html


def test_attachments_are_hashed_sniffed_and_stored_under_the_office(office):
    _, message = ingest_bytes(office, corpus_bytes("nested-multipart.eml"))
    logo, letter = message.attachments.all()
    assert (logo.content_type, logo.is_inline) == ("image/png", True)
    assert (letter.content_type, letter.declared_type) == ("application/pdf", "application/pdf")
    assert letter.file.name == f"offices/{office.pk}/attachments/{letter.sha256[:2]}/{letter.sha256}"
    with letter.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    assert len(letter.sha256) == 64


@pytest.mark.parametrize(
    ("name", "executable"),
    [("att-executable.eml", True), ("att-rtl-override.eml", True), ("att-rfc2231.eml", False)],
)
def test_executables_are_flagged(office, name, executable):
    _, message = ingest_bytes(office, corpus_bytes(name))
    assert message.attachments.get().is_executable is executable


@pytest.mark.parametrize("name", ["dsn-bounce.eml", "out-of-office.eml", "precedence-bulk.eml"])
def test_auto_replies_and_bounces_are_kept_out_of_triage(office, name):
    _, message = ingest_bytes(office, corpus_bytes(name))
    assert message.is_automatic
    assert message.triage_state == "no_action"


def test_ordinary_mail_goes_to_triage(office):
    _, message = ingest_bytes(office, corpus_bytes("plain-ascii.eml"))
    assert (message.is_automatic, message.triage_state, message.direction) == (False, "new", "in")
    assert message.sent_at is not None
