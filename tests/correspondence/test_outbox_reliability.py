"""The outbox survives killed workers: real Celery workers on Redis, a real SMTP server.

Two workers (separate processes, solo pool) send a 500-message batch while the test SIGKILLs
one of them five times, each time just after the SMTP server accepted a message, and starts
a new one. Every message must arrive; a message may arrive twice only once per kill.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path

import pytest
from django.conf import settings

from correspondence import outbox, tasks
from correspondence.models import OutboxStatus, OutgoingEmail
from tests.celeryworkers import CeleryWorkers
from tests.smtpsink import Sink, SinkServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240), pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
MESSAGES = 500
KILL_AFTER = (40, 120, 200, 280, 360)


def test_killed_workers_lose_nothing_and_duplicate_at_most_once_per_kill(office, tmp_path, monkeypatch):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    kills_due: collections.deque[int] = collections.deque(KILL_AFTER)
    kills_requested: list[int] = []

    def after_each_message(count: int) -> None:
        if kills_due and count >= kills_due[0]:
            kills_requested.append(kills_due.popleft())

    with SinkServer(Sink(on_message=after_each_message)) as server:
        identity = outbox.identity_for(office)
        identity.transport, identity.smtp_host, identity.smtp_port = "smtp", "127.0.0.1", server.port
        identity.smtp_security, identity.rate_per_minute, identity.daily_cap = "none", 0, 0
        identity.save()
        workers = CeleryWorkers(tmp_path, 2, OUTBOX_LEASE_SECONDS="3", OUTBOX_CLAIM_BATCH="20", OUTBOX_RUN_SECONDS="5")
        monkeypatch.setattr(outbox, "_nudge_sender", lambda: workers.send(tasks.send_outbox))
        try:
            batch = outbox.batch_create(office=office, label="Reliability", actor=None)
            drafts = [
                outbox.Draft(
                    idempotency_key=f"r{n}", to_email=f"person{n}@example.org", subject=f"Reply {n}", text="Hello"
                )
                for n in range(MESSAGES)
            ]
            assert outbox.outbox_enqueue_many(office=office, drafts=drafts, batch=batch) == MESSAGES
            kills = _drive(workers, kills_requested)
        finally:
            workers.stop()
        received = collections.Counter(server.sink.message_ids())

    expected = set(OutgoingEmail.unscoped.filter(office=office).values_list("message_id", flat=True))
    assert kills == len(KILL_AFTER), workers.logs()
    assert set(received) == expected, f"lost: {len(expected - set(received))}\n{workers.logs()}"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills
    print(f"{MESSAGES} messages, {kills} kills, {duplicates} duplicates")


def _drive(workers: CeleryWorkers, kills_requested: list[int], timeout: float = 180) -> int:
    """Act as beat: nudge the workers, carry out requested kills, replace the dead. Returns kills."""
    kills = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        while kills < len(kills_requested):
            workers.kill_one()
            kills += 1
        workers.replace_dead()
        if not OutgoingEmail.unscoped.exclude(status=OutboxStatus.SENT).exists():
            return kills
        workers.send(tasks.send_outbox)
        time.sleep(0.3)
    pytest.fail(f"Not everything was sent in {timeout} s.\n{workers.logs()}")
