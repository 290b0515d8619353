"""Storing and parsing: dedupe, oversize, outbound copies, and generated MIME that never crashes."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from correspondence import ingest
from correspondence.models import Message, ParseState, RawEmail, RawSource
from security.models import AuditEvent
from tests.correspondence.conftest import CORPUS, corpus_bytes, email, ingest_bytes


def test_it_stores_the_same_file_once(office):
    raw = corpus_bytes("plain-ascii.eml")
    first, created = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD)
    again, created_again = ingest.store_raw(office=office, raw=raw, source=RawSource.WEBHOOK)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert first.message_id == "plain-1@example.org"
    assert AuditEvent.objects.filter(verb="correspondence.raw_email.stored").count() == 1


def test_the_same_message_id_with_a_different_body_is_two_rows(office):
    ingest.store_raw(office=office, raw=email(body="one"), source=RawSource.UPLOAD)
    _, created = ingest.store_raw(office=office, raw=email(body="two"), source=RawSource.UPLOAD)
    assert created
    assert RawEmail.objects.for_office(office).count() == 2


def test_the_same_imap_uid_is_stored_once_even_if_the_bytes_differ(office):
    where = {"mailbox_key": "inbox-1", "uidvalidity": 7, "uid": 42}
    first, _ = ingest.store_raw(office=office, raw=email(body="one"), source=RawSource.IMAP, **where)
    again, created = ingest.store_raw(office=office, raw=email(body="two"), source=RawSource.IMAP, **where)
    assert (again.pk, created) == (first.pk, False)
    # A new UIDVALIDITY means the server renumbered: the same bytes are then a content duplicate.
    renumbered, created = ingest.store_raw(
        office=office, raw=email(body="one"), source=RawSource.IMAP, mailbox_key="inbox-1", uidvalidity=8, uid=42
    )
    assert (renumbered.pk, created) == (first.pk, False)


def test_dedupe_is_per_office(office, other_office):
    raw = email()
    mine, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD)
    theirs, created = ingest.store_raw(office=other_office, raw=raw, source=RawSource.UPLOAD)
    assert created
    assert theirs.pk != mine.pk


def test_parsing_twice_does_nothing_the_second_time(office):
    row, message = ingest_bytes(office, email())
    assert ingest.process_raw(row.pk) is None
    assert Message.objects.for_office(office).count() == 1
    assert message.raw_email_id == row.pk


def test_mail_over_the_limit_is_kept_raw_and_flagged(office, settings):
    settings.INBOUND_MAX_BYTES = 100_000
    # Generated here rather than committed: a big attachment in a well-formed message.
    big = email(
        subject="Huge scan",
        extra="MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
        body="--b\r\nContent-Type: text/plain\r\n\r\nSee scan.\r\n--b\r\nContent-Type: image/png\r\n"
        "Content-Disposition: attachment; filename=scan.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + ("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n" * 3000)
        + "--b--",
    )
    row, message = ingest_bytes(office, big)
    assert row.parse_state == ParseState.OVERSIZE
    assert "limit" in row.parse_error
    assert bytes(row.raw) == big
    assert message.subject == "Huge scan"
    assert message.sender_email == "jane@example.org"
    assert not message.attachments.exists()


def test_a_very_large_body_within_the_limit_is_parsed(office):
    body = "A long letter. " * 200_000  # about 3 MB
    row, message = ingest_bytes(office, email(body=body))
    assert row.parse_state == ParseState.PARSED
    assert message.text.endswith("A long letter.")


def test_unparseable_mail_is_quarantined_with_its_bytes(office):
    row, message = ingest_bytes(office, b"\x00\x01\x02 not an email")
    assert row.parse_state == ParseState.QUARANTINED
    assert row.parse_error
    assert message is None
    assert bytes(row.raw) == b"\x00\x01\x02 not an email"


def test_a_crash_while_parsing_is_retried_then_quarantined(office, settings, monkeypatch):
    settings.INBOUND_PARSE_MAX_ATTEMPTS = 2
    settings.INBOUND_PARSE_LEASE_SECONDS = 0
    row, _ = ingest.store_raw(office=office, raw=email(), source=RawSource.UPLOAD)

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(ingest, "_message_create", broken)
    ingest.process_raw(row.pk)
    row.refresh_from_db()
    assert (row.parse_state, row.parse_attempts, row.parse_claimed_at) == (ParseState.PENDING, 1, None)
    ingest.process_raw(row.pk)
    row.refresh_from_db()
    assert row.parse_state == ParseState.QUARANTINED
    assert "RuntimeError" in row.parse_error
    assert not Message.objects.for_office(office).exists()


def test_a_quarantined_email_can_be_parsed_again(office, manager, monkeypatch):
    row, _ = ingest_bytes(office, b"garbage")
    monkeypatch.setattr(ingest.mime, "parse_email", lambda raw, headers_only=False: ingest.mime.ParsedEmail())
    row = ingest.raw_reparse(raw=row, actor=manager)
    assert row.parse_state == ParseState.PENDING
    ingest.process_raw(row.pk)
    row.refresh_from_db()
    assert row.parse_state == ParseState.PARSED


def test_sent_folder_copies_are_outbound_and_not_stored_twice(office):
    mine = Message.objects.create(
        office=office, direction="out", channel="email", message_id="ours-1@office.example", subject="Reply"
    )
    row, message = ingest_bytes(office, email(message_id="<ours-1@office.example>"), source=RawSource.SENT_FOLDER)
    assert row.parse_state == ParseState.PARSED
    assert message.pk == mine.pk
    assert Message.objects.for_office(office).count() == 1
    _, staff_reply = ingest_bytes(office, email(message_id="<outlook-9@office.example>"), source=RawSource.SENT_FOLDER)
    assert (staff_reply.direction, staff_reply.triage_state) == ("out", "no_action")


# --- Generated mail -----------------------------------------------------------------------------
HEADER_NAMES = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Content-Type",
     "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted", "MIME-Version", "X-Odd"]
)  # fmt: skip
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
HEADER = st.tuples(HEADER_NAMES, ANY_TEXT | st.sampled_from(["multipart/mixed; boundary=b", "=?x-bad?q?=FF?=", ""]))


@st.composite
def generated_mime(draw) -> bytes:
    headers = draw(st.lists(HEADER, max_size=10))
    boundary = draw(st.sampled_from(["b", "", "--", "b" * 80]))
    parts = draw(st.lists(st.tuples(st.lists(HEADER, max_size=3), ANY_TEXT), max_size=4))
    out = "".join(f"{name}: {value}\r\n" for name, value in headers)
    out += f"Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n"
    for part_headers, body in parts:
        out += f"--{boundary}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in part_headers) + "\r\n" + body + "\r\n"
    if draw(st.booleans()):
        out += f"--{boundary}--\r\n"
    return out.encode("utf-8", "surrogatepass") + draw(st.binary(max_size=40))


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SEEDS = sorted(CORPUS.glob("*.eml"))


def _assert_ingests(office, raw: bytes) -> None:
    row, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD)
    ingest.process_raw(row.pk)
    row.refresh_from_db()
    assert bytes(row.raw) == raw
    assert row.parse_state != ParseState.PENDING


@pytest.mark.django_db
def test_generated_mime_never_crashes_and_never_loses_bytes(office):
    @FUZZ
    @given(raw=generated_mime())
    def check(raw: bytes) -> None:
        _assert_ingests(office, raw)

    check()


@pytest.mark.django_db
def test_mutated_corpus_files_never_crash(office):
    @FUZZ
    @given(
        name=st.sampled_from(SEEDS),
        seed=st.integers(0, 2**32 - 1),
        flips=st.integers(1, 30),
        cut=st.none() | st.floats(0, 1),
    )
    def check(name, seed, flips, cut) -> None:
        data = bytearray(name.read_bytes())
        chooser = random.Random(seed)
        for _ in range(flips):
            if data:
                data[chooser.randrange(len(data))] = chooser.randrange(256)
        if cut is not None:
            data = data[: int(len(data) * cut)]
        _assert_ingests(office, bytes(data) or b"x")

    check()


def test_parsing_costs_a_bounded_number_of_queries(office, django_assert_max_num_queries):
    # Claim, load, thread lookups, sender match, message, attachments (one each), search vector, finish;
    # then campaign detection (savepoints, the office's lock, seen before?, band lookup, signature, bands).
    raw = corpus_bytes("nested-multipart.eml")
    row, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD)
    with django_assert_max_num_queries(23):
        ingest.process_raw(row.pk)
