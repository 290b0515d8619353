"""Outbox throughput: N queued emails sent by real Celery workers to a local SMTP server.

The emails go into an office of their own (``bench-outbox``) with no rate limit or daily cap,
then ``workers`` Celery worker processes (solo pool, a queue of their own on Redis) are started
and nudged as beat would; the clock runs from the first nudge until every row is ``sent``.
The SMTP server is aiosmtpd on an ephemeral loopback port, in this process.

The figure is messages per second, wall clock, each claimed, delivered and marked sent.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

OFFICE_SLUG = "bench-outbox"
TARGET_PER_SECOND = 200
BASE_DIR = Path(__file__).resolve().parents[1]


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


def _queue_emails(office, port: int, count: int, run: str) -> None:
    from correspondence import outbox
    from correspondence.models import OutgoingEmail

    identity = outbox.identity_for(office)
    identity.transport, identity.smtp_host, identity.smtp_port, identity.smtp_security = (
        "smtp",
        "127.0.0.1",
        port,
        "none",
    )
    identity.rate_per_minute = identity.daily_cap = 0
    identity.save()
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


def _start_workers(count: int, queue: str, log_dir: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "OUTBOX_RUN_SECONDS": "300", "DATABASE_URL": _database_url()}
    processes = []
    for n in range(count):
        command = [sys.executable, "-m", "celery", "-A", "mpoffice", "worker", "-P", "solo", "-Q", queue]
        command += ["-n", f"bench{n}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        with (log_dir / f"outbox-worker{n}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
            )
    return processes


def _database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def run_outbox(count: int, *, workers: int, log_dir: Path, timeout: float = 300) -> OutboxReport:
    from correspondence import tasks
    from correspondence.models import OutboxStatus, OutgoingEmail
    from tests.smtpsink import Sink, SinkServer

    log_dir.mkdir(parents=True, exist_ok=True)
    office = _office()
    report = OutboxReport(count=count, workers=workers)
    queue = f"bench-outbox-{uuid.uuid4().hex[:8]}"
    with SinkServer(Sink()) as server:
        _queue_emails(office, server.port, count, uuid.uuid4().hex[:8])
        processes = _start_workers(workers, queue, log_dir)
        try:
            time.sleep(3)  # let the workers connect, so start-up is not counted
            pending = OutgoingEmail.unscoped.filter(office=office).exclude(status=OutboxStatus.SENT)
            started = time.monotonic()
            while pending.exists():
                if time.monotonic() - started > timeout:
                    raise RuntimeError(f"Not everything was sent in {timeout} s; see {log_dir}/outbox-worker*.log")
                for _ in range(workers):
                    tasks.send_outbox.apply_async(queue=queue)
                time.sleep(0.05 if count < 1000 else 0.25)
            report.seconds = time.monotonic() - started
        finally:
            for process in processes:
                process.kill()
                process.wait(timeout=10)
        counts = collections.Counter(server.sink.message_ids())
    report.received = sum(counts.values())
    report.duplicates = sum(n - 1 for n in counts.values())
    return report
