"""Campaign mail at scale: detection over N emails, and an N-recipient send through real workers.

Detection: N parsed inbound emails (no raw bytes: parsing is measured by ``bench ingest``) go into
an office of their own (``bench-campaigns``) over 60 days: about 60% copies of 40 campaign texts
(the nine of the labelled set, tests/campaigns/detection_set, with their variants — greetings,
sign-offs, addresses, asides, stories, reordered and dropped paragraphs — and 31 generated texts),
the rest ordinary casework, each with sentences of its own. The clock runs over
``campaigns.detection.detect_messages`` in arrival order (chunks of ``CHUNK`` under the office's lock,
as the sweep and a backlog run), everything committed, with the daily prune of stale band keys
(``campaigns.tasks.prune_signatures``) run on the mail's calendar inside the clock, as the beat
would over those 60 days; a sample then runs one message at a time, as ingestion's hook does.

Send: a campaign of N members, an approved response, one press of send (timed: the queueing
transaction), then ``workers`` Celery workers send to a local SMTP server with the rate limit and
daily cap off, as ``bench outbox`` does; the clock runs until every reply is sent.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

OFFICE_SLUG = "bench-campaigns"
SEND_OFFICE_SLUG = "bench-campaign-send"
DETECT_TARGET_PER_SECOND = 500
SEND_TARGET_PER_SECOND = 200
CAMPAIGN_SHARE = 0.6
SAMPLE_ONE_AT_A_TIME = 200


@dataclass
class DetectionReport:
    count: int
    seconds: float = 0.0
    campaigns: int = 0
    members: int = 0
    one_at_a_time_per_second: float = 0.0
    queries_per_chunk: float = 0.0
    chunk: int = 0
    pruned: int = 0
    truth: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> bool:
        return self.per_second >= DETECT_TARGET_PER_SECOND

    def summary(self) -> str:
        return (
            f"Detection over {self.count} emails in {self.seconds:.2f} s: {self.per_second:.0f} emails/s "
            f"(target ≥ {DETECT_TARGET_PER_SECOND}), {self.queries_per_chunk:.0f} queries per chunk of {self.chunk}; "
            f"{self.campaigns} campaigns, {self.members} messages in them "
            f"({self.truth.get('campaign_mail', 0)} campaign copies generated); the daily prune, timed with "
            f"it, forgot {self.pruned} stale band keys. One at a time, as ingestion's hook: "
            f"{self.one_at_a_time_per_second:.0f} emails/s."
        )


@dataclass
class SendReport:
    count: int
    workers: int
    queue_seconds: float = 0.0
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
            f"Campaign send to {self.count} recipients: queued in one transaction in {self.queue_seconds:.2f} s; "
            f"sent by {self.workers} workers in {self.seconds:.2f} s: {self.per_second:.0f} messages/s "
            f"(target ≥ {SEND_TARGET_PER_SECOND}); the SMTP server received {self.received}, "
            f"{self.duplicates} duplicates."
        )


# --- Mail to detect ---------------------------------------------------------------------------
def _vocabulary() -> list[str]:
    from tests.campaigns.detection_set import generate as labelled

    texts = [p for _, _, paragraphs, _ in labelled.TEMPLATES for p in paragraphs]
    texts += [s for stories in labelled.STORIES.values() for s in stories] + labelled.ORDINARY_DETAILS
    words = sorted({w.strip(".,?;:'").lower() for text in texts for w in text.split()} - {""})
    return words


class MailWriter:
    """Bodies as senders write them, from the labelled set's templates and pools."""

    def __init__(self, seed: int) -> None:
        from tests.campaigns.detection_set import generate as labelled

        self.labelled = labelled
        self.writer = labelled.Writer()
        self.writer.rng = self.rng = random.Random(seed)
        words = _vocabulary()
        self.templates: list[tuple[str, str, list[str]]] = [(k, s, p) for k, s, p, _ in labelled.TEMPLATES]
        for n in range(31):
            paragraphs = [self._sentences(words, self.rng.randint(2, 4)) for _ in range(self.rng.randint(3, 5))]
            self.templates.append((f"generated{n}", f"Campaign number {n}", paragraphs))
        self.words = words
        # Zipf-like: a few big campaigns, many small ones.
        self.weights = [1 / (rank + 1) for rank in range(len(self.templates))]

    def _sentences(self, words: list[str], n: int) -> str:
        return " ".join(
            " ".join(self.rng.choice(words) for _ in range(self.rng.randint(10, 22))).capitalize() + "."
            for _ in range(n)
        )

    def campaign_mail(self) -> tuple[str, str]:
        key, subject, paragraphs = self.rng.choices(self.templates, weights=self.weights)[0]
        story_key = key if key in self.labelled.STORIES else "rivers"
        paras, _, _ = self.writer.campaign_body(story_key, paragraphs)
        return subject, self._letter(paras)

    def ordinary_mail(self) -> tuple[str, str]:
        paras = self.writer.ordinary_body(None)
        paras.append(self._sentences(self.words, self.rng.randint(2, 4)))
        return self.rng.choice(["Help please", "My housing", "Benefits problem", "Potholes"]), self._letter(paras)

    def _letter(self, paras: list[str]) -> str:
        who = self.writer.person()
        lines = [self.writer.greeting(), ""] + [line for para in paras for line in (para, "")]
        lines += self.writer.signoff(who)
        self._sender = who
        return "\n".join(lines)

    @property
    def sender(self) -> dict:
        return self._sender


def _office(slug: str, name: str):
    from bench.generate import _create_office
    from security.models import Office

    return Office.objects.filter(slug=slug).first() or _create_office(slug, name, "Campaignshire")


def _fresh_office(slug: str, name: str):
    """The benchmark's office, emptied of the previous run's mail, campaigns and outbox rows."""
    from django.db import transaction

    from campaigns.models import Campaign, CampaignReply, CampaignSend, MessageSignature
    from correspondence.models import Message, OutboxBatch, OutgoingEmail

    office = _office(slug, name)
    with transaction.atomic():
        # Outbox rows protect their batch, and a send its batch: those go first.
        for model in (CampaignReply, CampaignSend, OutgoingEmail, OutboxBatch, MessageSignature, Campaign, Message):
            model.unscoped.filter(office=office).delete()
    return office


def _write_mail(office, count: int, seed: int) -> tuple[list[int], collections.Counter]:
    from correspondence.models import Message

    writer = MailWriter(seed)
    start = timezone.now() - dt.timedelta(days=60)
    step = dt.timedelta(days=60) / max(count, 1)
    truth: collections.Counter = collections.Counter()
    rows = []
    for n in range(count):
        campaign = writer.rng.random() < CAMPAIGN_SHARE
        subject, body = writer.campaign_mail() if campaign else writer.ordinary_mail()
        truth["campaign_mail" if campaign else "ordinary"] += 1
        who = writer.sender
        rows.append(
            Message(
                office=office,
                direction="in",
                channel="email",
                sender_name=f"{who['first']} {who['last']}",
                sender_email=f"{n}.{who['email']}",
                subject=subject,
                text=body,
                message_id=f"bench-{n}@campaigns.example",
                received_at=start + step * n,
            )
        )
    ids: list[int] = []
    for chunk in range(0, len(rows), 2000):
        ids += [m.pk for m in Message.objects.for_office(office).bulk_create(rows[chunk : chunk + 2000])]
    return ids, truth


def _detection_tables() -> list[str]:
    from campaigns.models import Campaign, CampaignMember, MessageSignature, SignatureBand

    return [model._meta.db_table for model in (SignatureBand, MessageSignature, CampaignMember, Campaign)]


def _vacuum() -> None:
    """Fresh statistics and no dead rows from the previous run, as a live database would have.
    (Not inside a transaction — the smoke test's — where VACUUM cannot run.)"""
    from correspondence.models import Message

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join([*_detection_tables(), Message._meta.db_table])}")


def _autoanalyze() -> None:
    """What autovacuum does on a production server — this machine's PostgreSQL runs with it off
    (conf.d/90-ci.conf) — ANALYZE a table once a tenth of it has changed. Without it the planner
    still thinks the office has no signatures and scans all of them to find a few hundred by id."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s)"
            " AND n_mod_since_analyze > 50 + 0.1 * n_live_tup",
            [_detection_tables()],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'ANALYZE "{table}"')


def run_detection(count: int, *, seed: int = 2026) -> DetectionReport:
    from campaigns import detection, services
    from campaigns.models import Campaign, CampaignMember
    from correspondence.models import Message

    office = _fresh_office(OFFICE_SLUG, "Bench office (campaign detection)")
    sample = min(SAMPLE_ONE_AT_A_TIME, max(count // 10, 1))
    ids, truth = _write_mail(office, count + sample, seed)
    _vacuum()
    report = DetectionReport(count=count, truth=dict(truth), chunk=detection.CHUNK)
    messages = Message.objects.for_office(office).order_by("received_at", "id")
    chunks = 0
    pruned_on = None
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        for start in range(0, count, detection.CHUNK):
            batch = list(
                messages.filter(pk__in=ids[start : min(start + detection.CHUNK, count)]).select_related("office")
            )
            detection.detect_messages(office=office, messages=batch)
            chunks += 1
            _autoanalyze()
            # The daily beat task, on the mail's own calendar, inside the clock.
            if pruned_on != batch[-1].received_at.date():
                pruned_on = batch[-1].received_at.date()
                report.pruned += services.signatures_prune(now=batch[-1].received_at)
        report.seconds = time.monotonic() - started
    report.queries_per_chunk = len(queries) / max(chunks, 1)
    tail = list(messages.filter(pk__in=ids[count:]).select_related("office"))
    started = time.monotonic()
    for message in tail:
        detection.detect_message(message)
    report.one_at_a_time_per_second = len(tail) / (time.monotonic() - started) if tail else 0.0
    report.campaigns = Campaign.objects.for_office(office).count()
    report.members = CampaignMember.objects.for_office(office).count()
    return report


# --- The send ----------------------------------------------------------------------------------
def _campaign_of(office, size: int):
    from campaigns.models import Campaign, CampaignMember
    from correspondence.models import Message

    now = timezone.now()
    campaign = Campaign.objects.create(office=office, name="Bench campaign", state="confirmed")
    for start in range(0, size, 2000):
        messages = Message.objects.for_office(office).bulk_create(
            [
                Message(
                    office=office,
                    direction="in",
                    channel="email",
                    sender_name=f"Sender {n}",
                    sender_email=f"sender{n}@bench.example",
                    subject="Save our buses",
                    text="As your constituent I am deeply worried about the cuts to bus services.",
                    message_id=f"bench-send-{n}@bench.example",
                    received_at=now,
                    triage_state="campaign",
                )
                for n in range(start, min(start + 2000, size))
            ]
        )
        CampaignMember.objects.for_office(office).bulk_create(
            [
                CampaignMember(
                    office=office,
                    campaign=campaign,
                    message=m,
                    reply_email=m.sender_email,
                    reply_name=m.sender_name,
                    in_constituency="yes",
                    received_at=now,
                )
                for m in messages
            ]
        )
    return campaign


def _approved(office, campaign):
    from campaigns import responses
    from security.models import Membership, User
    from security.roles import Role

    mp = User.objects.filter(email=f"mp@{OFFICE_SLUG}.example").first() or User.objects.create_user(
        email=f"mp@{OFFICE_SLUG}.example", full_name="Bench MP"
    )
    membership, _ = Membership.objects.get_or_create(user=mp, office=office, defaults={"role": Role.MP})
    version = responses.version_save(
        office=office,
        actor=mp,
        campaign=campaign,
        subject="Your email about {{ campaign }}",
        body="Dear {{ first_name }},\n\nThank you for writing to me about local buses.\n\n{{ mp_name }}\n" * 3,
        submit=True,
    )
    return responses.version_approve(version=version, membership=membership), mp


def run_send(count: int, *, workers: int, log_dir: Path, timeout: float = 600) -> SendReport:
    from bench.outbox import received_and_duplicates, send_until_done, use_sink
    from campaigns import sending
    from correspondence.models import OutboxStatus, OutgoingEmail
    from tests.smtpsink import Sink, SinkServer

    log_dir.mkdir(parents=True, exist_ok=True)
    office = _fresh_office(SEND_OFFICE_SLUG, "Bench office (campaign send)")
    campaign = _campaign_of(office, count)
    version, mp = _approved(office, campaign)
    report = SendReport(count=count, workers=workers)
    with SinkServer(Sink()) as server:
        use_sink(office, server.port)
        started = time.monotonic()
        send = sending.campaign_send(campaign=campaign, actor=mp, version=version)
        report.queue_seconds = time.monotonic() - started
        pending = OutgoingEmail.objects.for_office(office).filter(batch=send.batch).exclude(status=OutboxStatus.SENT)
        report.seconds = send_until_done(pending, workers=workers, log_dir=log_dir, timeout=timeout)
        report.received, report.duplicates = received_and_duplicates(server.sink)
    return report
