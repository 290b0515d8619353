"""Ingestion speed: store and parse N realistic emails, as ``manage.py ingest_email`` does.

The emails are the well-formed part of the test corpus (``tests/correspondence/corpus``:
charsets, encoded words, nested multiparts, attachments, HTML-only, replies, bounces…),
cycled to N, each with its own Message-ID so every one is stored and parsed (not deduplicated).
They go one at a time through the command's own path, ``correspondence.ingest.ingest_one``
(``--path worker``: the webhook's and poller's ``store_raw`` then ``process_raw``, for comparison),
into an office of their own (``bench-ingest``) in whatever database Django is connected to:
the bench database from ``python -m bench ingest``, the test database in the smoke test.
Attachments are written under MEDIA_ROOT as in production.

The figure is emails per second, wall clock, storing + parsing, everything committed.
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "correspondence" / "corpus"
OFFICE_SLUG = "bench-ingest"
TARGET_PER_SECOND = 100
_MESSAGE_ID = re.compile(rb"^message-id:[^\r\n]*(\r?\n[ \t][^\r\n]*)*\r?\n", re.IGNORECASE | re.MULTILINE)


@dataclass
class IngestReport:
    count: int
    path: str = "inline"
    seconds: float = 0.0
    states: Counter[str] = field(default_factory=Counter)
    queries_per_email: float = 0.0
    corpus_files: int = 0

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.per_second >= TARGET_PER_SECOND

    def summary(self) -> str:
        states = ", ".join(f"{state} {n}" for state, n in sorted(self.states.items()))
        return (
            f"{self.path}: ingested {self.count} emails ({self.corpus_files} corpus files cycled) "
            f"in {self.seconds:.2f} s: "
            f"{self.per_second:.0f} emails/s (target ≥ {TARGET_PER_SECOND}), "
            f"{self.queries_per_email:.1f} queries per email. States: {states}."
        )


def corpus() -> list[bytes]:
    """The corpus's well-formed emails (the malformed-* ones are quarantine cases, not mail)."""
    return [path.read_bytes() for path in sorted(CORPUS.glob("*.eml")) if not path.name.startswith("malformed")]


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its Message-ID header replaced by (or given) ``message_id``."""
    header = f"Message-ID: <{message_id}>\r\n".encode()
    stripped, found = _MESSAGE_ID.subn(b"", raw, count=1)
    return header + (stripped if found else raw)


def emails(count: int, *, run: str | None = None) -> list[bytes]:
    """``count`` emails from the corpus, each with a Message-ID of its own."""
    run = run or uuid.uuid4().hex[:12]
    files = corpus()
    return [with_message_id(files[i % len(files)], f"bench-{run}-{i}@bench.example") for i in range(count)]


def bench_office():
    from bench.generate import _create_office
    from security.models import Office

    office = Office.objects.filter(slug=OFFICE_SLUG).first()
    return office or _create_office(OFFICE_SLUG, "Bench office (ingestion)", "Ingestshire")


def _inline(office, raw: bytes) -> str:
    """``ingest_email``'s path: one transaction per message, the parse in a savepoint."""
    from correspondence import ingest
    from correspondence.models import RawSource

    return ingest.ingest_one(office=office, raw=raw, source=RawSource.UPLOAD).state


def _worker(office, raw: bytes) -> str:
    """The webhook's and poller's path, parsed at once: store (commit), claim (commit), parse (commit)."""
    from correspondence import ingest
    from correspondence.models import ParseState, RawSource

    row, _ = ingest.store_raw(office=office, raw=raw, source=RawSource.UPLOAD, enqueue=False)
    outcome = ingest.process_raw(row.pk)
    return outcome.state if outcome else ParseState.PENDING


PATHS = {"inline": _inline, "worker": _worker}


def run_ingest(count: int = 500, *, path: str = "inline") -> IngestReport:
    """Store and parse ``count`` emails one by one through ``path``; time it."""
    ingest_one = PATHS[path]
    office = bench_office()
    raws = emails(count)
    report = IngestReport(count=count, path=path, corpus_files=len(corpus()))
    started = time.perf_counter()
    for raw in raws:
        report.states[ingest_one(office, raw)] += 1
    report.seconds = time.perf_counter() - started
    # Queries counted apart, on a few more emails: capturing them slows the timed run.
    sample = emails(min(count, len(corpus())))
    with CaptureQueriesContext(connection) as queries:
        for raw in sample:
            ingest_one(office, raw)
    report.queries_per_email = len(queries) / len(sample)
    return report
