"""ingest_one, the inline path of ingest_email: one transaction per message, the parse in a
savepoint, so a parse that fails still leaves the raw bytes stored and counted."""

from __future__ import annotations

from correspondence import ingest
from correspondence.models import Message, ParseState, RawEmail, RawSource
from security.models import AuditEvent
from tests.correspondence.conftest import corpus_bytes, email


def test_it_stores_and_parses_in_one_go(office, django_assert_max_num_queries):
    # 16, and campaign detection: savepoints, the office's lock (created on its first mail), seen before?,
    # band lookup, signature and bands.
    with django_assert_max_num_queries(24):
        result = ingest.ingest_one(office=office, raw=corpus_bytes("plain-ascii.eml"), source=RawSource.UPLOAD)
    assert (result.created, result.state) == (True, ParseState.PARSED)
    row = RawEmail.objects.for_office(office).get(pk=result.raw_id)
    assert (row.parse_state, row.parse_attempts, row.parse_claimed_at) == (ParseState.PARSED, 1, None)
    message = Message.objects.for_office(office).get(raw_email=row)
    assert message.subject == "Bins not collected"
    assert Message.objects.for_office(office).filter(pk=message.pk, search_vector__isnull=False).exists()
    assert AuditEvent.objects.filter(verb="correspondence.raw_email.stored", object_id=str(row.pk)).count() == 1


def test_the_same_message_twice_is_stored_once(office):
    first = ingest.ingest_one(office=office, raw=email(), source=RawSource.UPLOAD)
    again = ingest.ingest_one(office=office, raw=email(), source=RawSource.UPLOAD)
    assert (again.created, again.state, again.raw_id) == (False, "duplicate", first.raw_id)
    assert RawEmail.objects.for_office(office).count() == 1
    assert Message.objects.for_office(office).count() == 1
    # Same Message-ID, other bytes: another message.
    other = ingest.ingest_one(office=office, raw=email(body="Changed."), source=RawSource.UPLOAD)
    assert other.created


def test_a_crash_while_parsing_keeps_the_raw_and_leaves_no_half_message(office, monkeypatch, settings):
    settings.INBOUND_PARSE_MAX_ATTEMPTS = 2
    settings.INBOUND_PARSE_LEASE_SECONDS = 0

    def broken(message, attachment, written):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_attachment_create", broken)
    result = ingest.ingest_one(office=office, raw=corpus_bytes("att-rfc2231.eml"), source=RawSource.UPLOAD)
    assert (result.created, result.state) == (True, ParseState.PENDING)
    row = RawEmail.objects.for_office(office).get(pk=result.raw_id)
    assert bytes(row.raw) == corpus_bytes("att-rfc2231.eml")
    assert (row.parse_attempts, row.parse_claimed_at) == (1, None)
    assert "RuntimeError" in row.parse_error
    # The savepoint took the message back with the failed attachment.
    assert not Message.objects.for_office(office).exists()
    assert AuditEvent.objects.filter(verb="correspondence.raw_email.stored", object_id=str(row.pk)).count() == 1
    # The sweep parses it once the bug is gone.
    monkeypatch.undo()
    assert ingest.raw_parse_pending() == 1
    row.refresh_from_db()
    assert row.parse_state == ParseState.PARSED
    assert Message.objects.for_office(office).get(raw_email=row).attachments.count() >= 1


def test_unparseable_mail_is_quarantined_and_kept(office):
    result = ingest.ingest_one(office=office, raw=b"\x00\x01 not mail", source=RawSource.UPLOAD)
    assert result.state == ParseState.QUARANTINED
    assert bytes(RawEmail.objects.for_office(office).get(pk=result.raw_id).raw) == b"\x00\x01 not mail"


def test_the_precompiled_vector_update_matches_the_orm_one(office):
    from correspondence import search_index

    message = Message.objects.create(
        office=office,
        direction="in",
        channel="email",
        subject="Damp and mould in the flat",
        sender_name="Jane Smith",
        sender_email="jane@example.org",
        text="The landlord has not replied for weeks.",
    )
    other = Message.objects.create(office=office, direction="in", channel="email", subject="Bins")
    search_index.refresh_message(message.pk)
    fast = Message.objects.for_office(office).values_list("search_vector", flat=True).get(pk=message.pk)
    assert Message.objects.for_office(office).get(pk=other.pk).search_vector is None  # that row only
    search_index.refresh_messages([message.pk])
    slow = Message.objects.for_office(office).values_list("search_vector", flat=True).get(pk=message.pk)
    assert fast == slow
    assert "mould" in fast
    assert "jane@example.org" in fast
