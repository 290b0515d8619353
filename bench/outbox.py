"""Outbox throughput: N queued emails sent by real Celery workers to a local SMTP server.

The emails go into an office of their own (``bench-outbox``) with no rate limit or daily cap,
then ``workers`` Celery worker processes (solo pool, a queue of their own on Redis) are started
and nudged as beat would; the clock runs from the first nudge until every row is ``sent``.
The SMTP server is aiosmtpd on an ephemeral loopback port, in this process.

The figure is messages per second, wall clock, each claimed, delivered and marked sent.
"""

from __future__ import annotations

import collections
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

OFFICE_SLUG = "bench-outbox"
TARGET_PER_SECOND = 200


@dataclass
class OutboxReport:
    count: int
    workers: int
    seconds: float = 0.0
    received: int = 0
    duplicates: int = 0

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.received == self.count and self.duplicates == 0

    def summary(self) -> str:
        return (
            f"Sent {self.count} emails with {self.workers} workers in {self.seconds:.2f} s: "
            f"{self.per_second:.0f} messages/s (target ≥ {TARGET_PER_SECOND}); "
            f"the SMTP server received {self.received}, {self.duplicates} duplicates."
        )


def _office():
    from bench.generate import _create_office
    from security.models import Office

    office = Office.objects.filter(slug=OFFICE_SLUG).first()
    return office or _create_office(OFFICE_SLUG, "Bench office (outbox)", "Sendshire")


def use_sink(office, port: int) -> None:
    """Send the office's mail to the local SMTP server, with no rate limit or daily cap."""
    from correspondence import outbox

    identity = outbox.identity_for(office)
    identity.transport, identity.smtp_host, identity.smtp_port, identity.smtp_security = (
        "smtp",
        "127.0.0.1",
        port,
        "none",
    )
    identity.rate_per_minute = identity.daily_cap = 0
    identity.save()


def _queue_emails(office, count: int, run: str) -> None:
    from correspondence import outbox
    from correspondence.models import OutgoingEmail

    OutgoingEmail.unscoped.filter(office=office).delete()
    drafts = (
        outbox.Draft(
            idempotency_key=f"bench-{run}-{n}",
            to_email=f"person{n}@bench.example",
            to_name=f"Person {n}",
            subject=f"Your enquiry [Ref 2026/{n % 10000:04d}]",
            text="Dear constituent,\n\nThank you for writing. We have taken this up for you.\n" * 5,
        )
        for n in range(count)
    )
    outbox.outbox_enqueue_many(office=office, drafts=drafts)


def send_until_done(pending, *, workers: int, log_dir: Path, timeout: float) -> float:
    """Start ``workers`` Celery workers, nudge them as beat would until ``pending`` (a queryset of
    rows not yet sent) is empty; returns the seconds from the first nudge, start-up not counted."""
    from correspondence import tasks
    from tests.celeryworkers import CeleryWorkers

    started_workers = CeleryWorkers(log_dir, workers, OUTBOX_RUN_SECONDS="300")
    try:
        time.sleep(3)  # let the workers connect, so start-up is not counted
        started = time.monotonic()
        while pending.exists():
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"Not everything was sent in {timeout} s; see {log_dir}/worker*.log")
            for _ in range(workers):
                started_workers.send(tasks.send_outbox)
            time.sleep(0.25)
        return time.monotonic() - started
    finally:
        started_workers.stop()


def received_and_duplicates(sink) -> tuple[int, int]:
    counts = collections.Counter(sink.message_ids())
    return sum(counts.values()), sum(n - 1 for n in counts.values())


def run_outbox(count: int, *, workers: int, log_dir: Path, timeout: float = 300) -> OutboxReport:
    from correspondence.models import OutboxStatus, OutgoingEmail
    from tests.smtpsink import Sink, SinkServer

    log_dir.mkdir(parents=True, exist_ok=True)
    office = _office()
    report = OutboxReport(count=count, workers=workers)
    with SinkServer(Sink()) as server:
        use_sink(office, server.port)
        _queue_emails(office, count, uuid.uuid4().hex[:8])
        pending = OutgoingEmail.unscoped.filter(office=office).exclude(status=OutboxStatus.SENT)
        report.seconds = send_until_done(pending, workers=workers, log_dir=log_dir, timeout=timeout)
        report.received, report.duplicates = received_and_duplicates(server.sink)
    return report
