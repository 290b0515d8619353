"""The outbox against a real SMTP server on loopback: claims, retries, limits, batches."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from correspondence import outbox
from correspondence.models import BatchState, OutboxStatus, OutgoingEmail, Priority, SmtpSecurity, Transport
from tests.smtpsink import Sink, SinkServer, free_port

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def sink():
    with SinkServer(Sink()) as server:
        yield server


def use_smtp(office, port: int, *, rate: int = 0, cap: int = 0):
    identity = outbox.identity_for(office)
    identity.from_email = "office@mp.example"
    identity.from_name = "Office of Alex Example MP"
    identity.transport = Transport.SMTP
    identity.smtp_host = "127.0.0.1"
    identity.smtp_port = port
    identity.smtp_security = SmtpSecurity.NONE
    identity.rate_per_minute = rate
    identity.daily_cap = cap
    identity.save()
    return identity


def queue(office, key: str, to: str = "pat@example.org", **extra):
    row, _ = outbox.outbox_enqueue(
        office=office,
        draft=outbox.Draft(idempotency_key=key, to_email=to, subject=f"Subject {key}", text=f"Body {key}"),
        **extra,
    )
    return row


def test_it_queues_once_per_idempotency_key(office):
    first = queue(office, "reply:1")
    again, created = outbox.outbox_enqueue(
        office=office, draft=outbox.Draft(idempotency_key="reply:1", to_email="x@example.org", subject="s", text="t")
    )
    assert (again.pk, created) == (first.pk, False)
    assert OutgoingEmail.objects.for_office(office).count() == 1


def test_it_marks_an_invalid_recipient_failed_with_the_reason(office):
    row = queue(office, "bad", to="not an address")
    assert row.status == OutboxStatus.FAILED
    assert "Not a valid email address" in row.last_error


def test_line_breaks_cannot_smuggle_headers(office, sink):
    use_smtp(office, sink.port)
    outbox.outbox_enqueue(
        office=office,
        draft=outbox.Draft(
            idempotency_key="k",
            to_email="pat@example.org",
            to_name="Pat\r\nBcc: victim@example.org",
            subject="Hello\r\nBcc: victim@example.org",
            text="Body",
        ),
    )
    assert outbox.outbox_send_due() == 1
    (message,) = sink.sink.messages()
    assert message["Bcc"] is None
    assert "victim@example.org" not in str(message["To"]).split(",")[1:]


def test_it_sends_with_a_stable_message_id_and_the_threading_headers(office, sink):
    use_smtp(office, sink.port)
    row, _ = outbox.outbox_enqueue(
        office=office,
        draft=outbox.Draft(
            idempotency_key="reply:7",
            to_email="pat@example.org",
            to_name="Pat Smith",
            subject="Re: Housing [Ref 2026/0007]",
            text="Dear Pat",
            headers={"In-Reply-To": "<abc@mail.example>", "References": "<abc@mail.example>"},
        ),
    )
    assert outbox.outbox_send_due() == 1
    (message,) = sink.sink.messages()
    assert str(message["Message-ID"]) == f"<{row.message_id}>"
    assert row.message_id.endswith("@mp.example")
    assert str(message["In-Reply-To"]) == "<abc@mail.example>"
    assert str(message["From"]) == "Office of Alex Example MP <office@mp.example>"
    assert str(message["To"]) == "Pat Smith <pat@example.org>"
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None


def test_a_4xx_answer_is_retried_later_and_nothing_is_lost(office):
    with SinkServer(Sink(fail_first=2)) as server, time_machine.travel(NOW, tick=False) as clock:
        use_smtp(office, server.port)
        row = queue(office, "r")
        assert outbox.outbox_send_due() == 0
        row.refresh_from_db()
        assert row.status == OutboxStatus.QUEUED
        assert "451" in row.last_error
        assert row.next_attempt_at == NOW + dt.timedelta(minutes=1)
        assert outbox.outbox_send_due() == 0, "not due yet"
        clock.shift(dt.timedelta(minutes=1))
        assert outbox.outbox_send_due() == 0
        clock.shift(dt.timedelta(minutes=2))
        assert outbox.outbox_send_due() == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 3, "")
        assert len(server.sink.received) == 1


def test_a_refused_recipient_fails_with_the_reason_and_the_rest_go_on(office, sink):
    use_smtp(office, sink.port)
    refused = queue(office, "a", to="refused@example.org")
    fine = [queue(office, f"b{n}", to=f"ok{n}@example.org") for n in range(3)]
    assert outbox.outbox_send_due() == 3
    refused.refresh_from_db()
    assert refused.status == OutboxStatus.FAILED
    assert "550" in refused.last_error
    assert "No such mailbox" in refused.last_error
    assert {row.status for row in OutgoingEmail.unscoped.filter(pk__in=[r.pk for r in fine])} == {OutboxStatus.SENT}


def test_an_unreachable_server_leaves_every_row_queued_with_the_reason(office):
    use_smtp(office, free_port())
    row = queue(office, "r")
    assert outbox.outbox_send_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.QUEUED
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()


def test_it_gives_up_after_the_last_attempt(office, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    use_smtp(office, free_port())
    row = queue(office, "r")
    with time_machine.travel(NOW, tick=False) as clock:
        OutgoingEmail.unscoped.filter(pk=row.pk).update(next_attempt_at=NOW)
        outbox.outbox_send_due()
        clock.shift(dt.timedelta(hours=1))
        outbox.outbox_send_due()
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("Gave up after 2 attempts.")


def test_a_failed_email_can_be_sent_again(office, manager, sink):
    use_smtp(office, sink.port)
    row = queue(office, "r", to="refused@example.org")
    outbox.outbox_send_due()
    row.refresh_from_db()
    OutgoingEmail.unscoped.filter(pk=row.pk).update(to_email="pat@example.org")
    outbox.outgoing_retry(outgoing=row, actor=manager)
    assert outbox.outbox_send_due() == 1


def test_case_replies_go_before_a_bulk_send(office, sink, settings):
    settings.OUTBOX_CLAIM_BATCH = 5
    use_smtp(office, sink.port)
    batch = outbox.batch_create(office=office, label="Campaign", actor=None)
    outbox.outbox_enqueue_many(
        office=office,
        batch=batch,
        drafts=[
            outbox.Draft(idempotency_key=f"bulk{n}", to_email=f"b{n}@example.org", subject="s", text="t")
            for n in range(20)
        ],
    )
    reply = queue(office, "reply", priority=Priority.REPLY)
    assert outbox.outbox_send_due() == 21
    assert sink.sink.messages()[0]["To"] == "pat@example.org"
    reply.refresh_from_db()
    assert reply.status == OutboxStatus.SENT


def test_a_held_batch_waits_and_a_cancelled_one_never_goes(office, manager, sink):
    use_smtp(office, sink.port)
    held = outbox.batch_create(office=office, label="Held", actor=manager)
    cancelled = outbox.batch_create(office=office, label="Cancelled", actor=manager)
    for batch in (held, cancelled):
        outbox.outbox_enqueue_many(
            office=office,
            batch=batch,
            drafts=[
                outbox.Draft(idempotency_key=f"{batch.pk}:{n}", to_email=f"{n}@example.org", subject="s", text="t")
                for n in range(3)
            ],
        )
    outbox.batch_set_state(batch=held, state=BatchState.HELD, actor=manager)
    outbox.batch_set_state(batch=cancelled, state=BatchState.CANCELLED, actor=manager)
    assert outbox.outbox_send_due() == 0
    assert outbox.batch_progress(cancelled)[OutboxStatus.CANCELLED] == 3
    outbox.batch_set_state(batch=held, state=BatchState.ACTIVE, actor=manager)
    assert outbox.outbox_send_due() == 3
    assert outbox.batch_progress(held)[OutboxStatus.SENT] == 3


def test_pressing_send_twice_adds_no_second_set(office):
    drafts = [
        outbox.Draft(idempotency_key=f"c:{n}", to_email=f"{n}@example.org", subject="s", text="t") for n in range(5)
    ]
    assert outbox.outbox_enqueue_many(office=office, drafts=drafts) == 5
    assert outbox.outbox_enqueue_many(office=office, drafts=drafts) == 0
    assert OutgoingEmail.objects.for_office(office).count() == 5


def test_the_rows_of_a_dead_worker_go_back_after_the_lease(office, sink, settings):
    use_smtp(office, sink.port)
    row = queue(office, "r")
    OutgoingEmail.unscoped.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    )
    assert outbox.outbox_send_due() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_live_claim_is_left_alone(office, sink):
    use_smtp(office, sink.port)
    row = queue(office, "r")
    OutgoingEmail.unscoped.filter(pk=row.pk).update(status=OutboxStatus.SENDING, claimed_at=timezone.now())
    assert outbox.outbox_send_due() == 0


def test_the_rate_limit_spreads_sending_over_minutes(office, sink):
    use_smtp(office, sink.port, rate=3)
    with time_machine.travel(NOW, tick=False) as clock:
        for n in range(7):
            queue(office, f"r{n}")
        assert outbox.outbox_send_due() == 3
        assert outbox.outbox_send_due() == 0
        clock.shift(dt.timedelta(seconds=61))
        assert outbox.outbox_send_due() == 3
        clock.shift(dt.timedelta(seconds=61))
        assert outbox.outbox_send_due() == 1


def test_the_daily_cap_holds_the_rest_until_tomorrow(office, sink):
    use_smtp(office, sink.port, cap=2)
    with time_machine.travel(NOW, tick=False) as clock:
        for n in range(4):
            queue(office, f"r{n}")
        assert outbox.outbox_send_due() == 2
        clock.shift(dt.timedelta(hours=3))
        assert outbox.outbox_send_due() == 0
        clock.shift(dt.timedelta(days=1))
        assert outbox.outbox_send_due() == 2


def test_one_office_over_its_limit_does_not_hold_up_another(office, other_office, sink, settings):
    settings.OUTBOX_CLAIM_BATCH = 2
    use_smtp(office, sink.port, rate=1)
    use_smtp(other_office, sink.port)
    for n in range(5):
        queue(office, f"a{n}")
    queue(other_office, "b")
    assert outbox.outbox_send_due() == 2
    assert sorted(m["To"] for m in sink.sink.messages()) == ["pat@example.org", "pat@example.org"]
    assert OutgoingEmail.objects.for_office(other_office).get().status == OutboxStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_claim_the_same_row(office, settings):
    assert connection.vendor == "postgresql"
    settings.OUTBOX_CLAIM_BATCH = 10
    use_smtp(office, free_port())  # no rate limit
    for n in range(40):
        queue(office, f"r{n}")
    claims: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def claim(name: str) -> None:
        barrier.wait()
        taken: list[int] = []
        for attempt in range(100):
            rows = outbox._claim(f"{name}{attempt}", timezone.now())
            if not rows:
                break
            taken += [row.pk for row in rows]
        claims[name] = taken
        connection.close()

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claims["a"]) & set(claims["b"])
    assert len(claims["a"]) + len(claims["b"]) == 40
