"""Campaign detection: near-identical mail from many senders becomes a campaign and leaves triage.

For each new inbound email (ingestion's hook, or the sweep for any it missed), under the office's
lock (``campaigns.office.lock``):

1. its fingerprint: the MinHash of the shingles of its comparable text (``campaigns.text``), the
   platform it came through, and the sender that counts (the Reply-To behind a platform);
2. candidates: messages sharing an LSH band key (an indexed lookup in ``SignatureBand``): the
   exemplars of campaigns, and messages outside campaigns received within the window;
3. similar candidates: estimated Jaccard similarity at least ``JACCARD_MIN`` and overlap (the
   share of the smaller text found in the larger) at least ``OVERLAP_MIN``;
4. a similar message in a campaign: the new one joins it at once. Otherwise, when similar
   messages still in triage from enough different senders (the office's threshold, 5 by default;
   fewer through a known platform) arrived within the window (14 days), they found a campaign.

Its signature is stored either way, so detection runs once per message and its state survives
restarts. Band keys are kept for messages outside campaigns and for ``EXEMPLARS`` members of each
campaign: a bucket never grows with a campaign's size. Messages are handled in order in memory
and written at the end, so a backlog of thousands costs a handful of queries per chunk.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from campaigns import constituency, platforms, template, text
from campaigns import office as office_lock
from campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignSettings,
    JoinedBy,
    MessageSignature,
    ResponseMode,
    SignatureBand,
)
from correspondence.models import Channel, Direction, Message, RawEmail, TriageState
from security.audit import audit_records
from security.models import ActorKind, Office

logger = logging.getLogger(__name__)

JACCARD_MIN = 0.3
OVERLAP_MIN = 0.8
EXEMPLARS = 20
CHUNK = 2000  # messages a transaction: 64,000 band keys to look up at most
_VIA = re.compile(r"\s+via\s+.*$", re.IGNORECASE)


@dataclass(eq=False)
class Record:
    """A message as detection sees it: loaded from the database, or handled in this run."""

    message_id: int
    minhash: np.ndarray
    size: int
    sender_key: str
    received_at: dt.datetime
    platform: str = ""
    excluded: bool = False
    free: bool = True  # in triage and in no campaign: may still found one
    campaign_id: int | None = None
    hashes: np.ndarray | None = None  # known for messages of this run
    keys: list[int] = field(default_factory=list)
    keep_bands: bool = False
    message: Message | None = None  # None: loaded from the database
    signature_id: int | None = None  # known for loaded messages
    reply_email: str = ""
    reply_name: str = ""


@dataclass(eq=False)
class Known:
    campaign: Campaign
    template: np.ndarray
    exemplars: int


@dataclass(frozen=True)
class Joined:
    record: Record
    campaign_id: int
    share: float
    personalised: bool


@dataclass
class Result:
    created: list[Campaign] = field(default_factory=list)
    joined: dict[int, int] = field(default_factory=dict)  # message id -> campaign id


@functools.lru_cache(maxsize=64)
def _platforms(setting: str) -> tuple[platforms.Platform, ...]:
    # The office's list parsed once per distinct text (the tuple is shared: never changed).
    return tuple(platforms.parse_lenient(setting))


def eligible(message: Message) -> bool:
    return (
        message.direction == Direction.INBOUND
        and message.channel == Channel.EMAIL
        and not message.is_automatic
        and message.triage_state == TriageState.NEW
    )


def detect_message(message: Message) -> Result:
    """Ingestion's hook: detection for one new inbound email (inside the parse transaction)."""
    if not eligible(message):
        return Result()
    return detect_messages(office=message.office, messages=[message])


def detect_messages(*, office: Office, messages: Sequence[Message]) -> Result:
    """Detection for messages of one office, in the order given (oldest first). Idempotent:
    messages already through detection, or no longer in triage, are left alone."""
    result = Result()
    owned = not connection.in_atomic_block
    for start in range(0, len(messages), CHUNK):
        with transaction.atomic():
            if owned:
                _relax_durability()
            settings = office_lock.lock(office)
            chunk = [m for m in messages[start : start + CHUNK] if eligible(m)]
            done = set(
                MessageSignature.objects.for_office(office)
                .filter(message_id__in=[m.pk for m in chunk])
                .values_list("message_id", flat=True)
            )
            fresh = [m for m in chunk if m.pk not in done]
            if fresh:
                Detector(office, settings, result).run(fresh)
    return result


def _relax_durability() -> None:
    """Let a transaction of detection's own commit without waiting for the disk flush.

    Should the database crash in that moment, the whole decision is lost together — signatures,
    members and triage states — and the messages are found undetected by the sweep and detected
    again. Never inside ingestion's transaction (the hook), whose raw email must be durable.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def detect_pending(*, limit: int = CHUNK) -> int:
    """The sweep: inbound emails in triage that detection has not seen (its hook failed, or the
    message arrived before campaigns were installed). Returns how many were handled."""
    since = timezone.now() - dt.timedelta(days=31)
    pending = list(
        Message.unscoped.filter(
            direction=Direction.INBOUND,
            channel=Channel.EMAIL,
            triage_state=TriageState.NEW,
            is_automatic=False,
            received_at__gte=since,
            campaign_signature__isnull=True,
        )
        .select_related("office")
        .order_by("received_at", "id")[:limit]
    )
    by_office: dict[int, list[Message]] = collections.defaultdict(list)
    for message in pending:
        by_office[message.office_id].append(message)
    for messages in by_office.values():
        detect_messages(office=messages[0].office, messages=messages)
    return len(pending)


class Detector:
    def __init__(self, office: Office, settings: CampaignSettings, result: Result) -> None:
        self.office = office
        self.settings = settings
        self.result = result
        self.platforms = _platforms(settings.platforms)
        self.phrases = platforms.footer_phrases(self.platforms)
        self.window = dt.timedelta(days=settings.window_days)
        self.index: dict[int, list[Record]] = collections.defaultdict(list)
        self.known: dict[int, Known] = {}
        self.records: list[Record] = []
        self.joined: list[Joined] = []
        self.touched: set[int] = set()
        self.created: list[Campaign] = []

    # --- preparing -----------------------------------------------------------------------
    def run(self, messages: list[Message]) -> None:
        heads = _headers(messages)
        for message in messages:
            self.records.append(self._prepare(message, heads.get(message.pk)))
        keys = {key for record in self.records for key in record.keys}
        self._load(keys, since=min(record.received_at for record in self.records) - self.window)
        for record in self.records:
            if record.keys:
                self._place(record)
        self._flush()

    def _prepare(self, message: Message, raw: bytes | None) -> Record:
        envelope = platforms.envelope(raw)
        platform = platforms.platform_of(
            self.platforms, sender_email=message.sender_email, headers=envelope, text=message.text
        )
        behind = platform is not None and bool(envelope.reply_to)
        reply_email = envelope.reply_to if behind else message.sender_email
        found = text.fingerprint(message.text, self.phrases)
        return Record(
            message_id=message.pk,
            minhash=found.minhash if found else np.array([], dtype=np.uint32),
            size=found.size if found else 0,
            sender_key=reply_email.lower(),
            received_at=message.received_at,
            platform=platform.name if platform else "",
            hashes=found.hashes if found else None,
            keys=found.bands if found else [],
            message=message,
            reply_email=reply_email,
            reply_name=_VIA.sub("", message.sender_name),
        )

    def _load(self, keys: set[int], since: dt.datetime) -> None:
        """The stored messages that share a band key with any message of this run: the exemplars
        of campaigns, and messages outside campaigns that came within the window of this run's."""
        pairs = _bands_with(self.office, sorted(keys), since)  # (signature, key)
        if not pairs:
            return
        rows = (
            MessageSignature.objects.for_office(self.office)
            .filter(pk__in={signature_id for signature_id, _ in pairs})
            .values(
                "pk",
                "message_id",
                "minhash",
                "shingles",
                "sender_key",
                "received_at",
                "platform",
                "excluded",
                "message__triage_state",
                "message__campaign_member__campaign_id",
            )
        )
        records: dict[int, Record] = {}
        campaign_ids: collections.Counter[int] = collections.Counter()
        for row in rows:
            campaign_id = row["message__campaign_member__campaign_id"]
            records[row["pk"]] = Record(
                message_id=row["message_id"],
                minhash=text.from_bytes(row["minhash"]),
                size=row["shingles"],
                sender_key=row["sender_key"],
                received_at=row["received_at"],
                platform=row["platform"],
                excluded=row["excluded"],
                free=campaign_id is None and row["message__triage_state"] == TriageState.NEW,
                campaign_id=campaign_id,
                signature_id=row["pk"],
                reply_email=row["sender_key"],
            )
            if campaign_id:
                campaign_ids[campaign_id] += 1
        for signature_id, key in pairs:
            if signature_id in records:  # a band row outlives its signature only by accident: skip it
                self.index[key].append(records[signature_id])
        self._load_campaigns(campaign_ids)

    def _load_campaigns(self, exemplars: collections.Counter[int]) -> None:
        """The campaigns of the stored candidates. Their members found here are the exemplars that
        share this run's band keys: near enough to the count kept to bound each bucket."""
        if not exemplars:
            return
        for campaign in Campaign.objects.for_office(self.office).filter(pk__in=list(exemplars)):
            self.known[campaign.pk] = Known(campaign, text.from_bytes(campaign.template), exemplars[campaign.pk])

    # --- deciding ------------------------------------------------------------------------
    def _place(self, record: Record) -> None:
        # Each record once, in a stable order (records hash by identity).
        sharing = dict.fromkeys(itertools.chain.from_iterable(self.index.get(key, ()) for key in record.keys))
        others = [o for o in sharing if not o.excluded and o.message_id != record.message_id and o.size]
        matches = self._similar(record, others)
        in_campaigns = [
            (other, score)
            for other, score in matches
            if other.campaign_id and self.known[other.campaign_id].campaign.is_active
        ]
        if in_campaigns:
            best = max(in_campaigns, key=lambda pair: pair[1])[0]
            self._join(record, best.campaign_id)
        else:
            window = [other for other, _ in matches if other.free and self._within(other, record)]
            senders = {other.sender_key for other in window if other.sender_key}
            if record.sender_key:
                senders.add(record.sender_key)
            platform = record.platform or next((other.platform for other in window if other.platform), "")
            needed = self.settings.platform_threshold if platform else self.settings.threshold
            if len(senders) >= max(needed, 2):
                self._found(record, window, platform)
        self._index(record)

    def _within(self, other: Record, record: Record) -> bool:
        return abs(other.received_at - record.received_at) <= self.window

    def _similar(self, record: Record, others: list[Record]) -> list[tuple[Record, float]]:
        if not others:
            return []
        estimates = text.jaccard(record.minhash, np.stack([other.minhash for other in others]))
        sizes = np.array([other.size for other in others])
        overlaps = text.overlap(estimates, record.size, sizes)
        keep = (estimates >= JACCARD_MIN) & (overlaps >= OVERLAP_MIN)
        return [(other, float(estimates[i])) for i, other in enumerate(others) if keep[i]]

    def _index(self, record: Record) -> None:
        if record.campaign_id is None:
            record.keep_bands = True
        elif not record.keep_bands:
            known = self.known[record.campaign_id]
            if known.exemplars < EXEMPLARS:
                known.exemplars += 1
                record.keep_bands = True
        if record.keep_bands:
            for key in record.keys:
                self.index[key].append(record)

    def _join(self, record: Record, campaign_id: int) -> None:
        flag, share = template.personalised(record.hashes, self.known[campaign_id].template)
        record.campaign_id, record.free = campaign_id, False
        self.joined.append(Joined(record, campaign_id, share, flag))
        self.touched.add(campaign_id)

    def _found(self, record: Record, others: list[Record], platform: str) -> None:
        founders = [*others, record]
        stored = _stored_texts(self.office, [other.message_id for other in others if other.hashes is None])
        sets, subjects = [], []
        for founder in founders:
            if founder.hashes is None:
                body, subject = stored.get(founder.message_id, ("", ""))
                founder.hashes = text.shingle_hashes(text.comparable_text(body, self.phrases))
                subjects.append(subject)
            else:
                subjects.append(founder.message.subject if founder.message else "")
            sets.append(founder.hashes)
        shared = text.consensus(sets)
        campaign = Campaign.objects.create(
            office=self.office,
            name=_name(subjects),
            platform=platform,
            template=text.to_bytes(shared),
            first_message_at=min(f.received_at for f in founders),
            last_message_at=max(f.received_at for f in founders),
        )
        self.known[campaign.pk] = Known(campaign, shared, exemplars=len(founders))
        self.created.append(campaign)
        for founder in founders:
            founder.keep_bands = True  # founders stay exemplars (the stored ones already have bands)
            self._join(founder, campaign.pk)

    # --- writing -------------------------------------------------------------------------
    def _flush(self) -> None:
        now = timezone.now()
        signature_ids = _insert_signatures(self.office, self.records, now)
        _insert_bands(
            self.office,
            [
                (signature_id, record.keys, None if record.campaign_id else record.received_at)
                for record, signature_id in zip(self.records, signature_ids, strict=True)
                if record.keep_bands and record.keys
            ],
        )
        # Stored messages that just founded a campaign are its exemplars now, whatever their age.
        founders = [j.record.signature_id for j in self.joined if j.record.signature_id]
        if founders:
            SignatureBand.objects.for_office(self.office).filter(signature_id__in=founders).update(received_at=None)
        if self.joined:
            self._members(now)
        audit_records(
            office=self.office,
            actor_kind=ActorKind.SYSTEM,
            events=[("campaigns.campaign.detected", campaign) for campaign in self.created],
        )
        self.result.created += self.created
        self.result.joined.update({j.record.message_id: j.campaign_id for j in self.joined})

    def _members(self, now: dt.datetime) -> None:
        messages = _messages_of(self.office, self.joined)
        verdicts = constituency.check_many(self.office, messages.values())
        members = []
        for joined in self.joined:
            message = messages[joined.record.message_id]
            verdict = verdicts[message.pk]
            members.append(
                CampaignMember(
                    office=self.office,
                    campaign_id=joined.campaign_id,
                    message_id=message.pk,
                    reply_email=(joined.record.reply_email or message.sender_email)[:254],
                    reply_name=(joined.record.reply_name or _VIA.sub("", message.sender_name))[:300],
                    postcode=verdict.postcode,
                    in_constituency=verdict.in_constituency,
                    ward_id=verdict.ward_id,
                    personalised=joined.personalised,
                    own_share=round(joined.share, 3),
                    joined_by=JoinedBy.DETECTED,
                    joined_at=now,
                    received_at=message.received_at,
                )
            )
        created = CampaignMember.objects.for_office(self.office).bulk_create(members)
        ids = [member.message_id for member in created]
        Message.objects.for_office(self.office).filter(pk__in=ids, triage_state=TriageState.NEW).update(
            triage_state=TriageState.CAMPAIGN, updated_at=now
        )
        for record in self.records:
            if record.message is not None and record.campaign_id:
                record.message.triage_state = TriageState.CAMPAIGN
        touched = []
        for campaign_id in self.touched:
            times = [j.record.received_at for j in self.joined if j.campaign_id == campaign_id]
            campaign = self.known[campaign_id].campaign
            campaign.first_message_at = min(campaign.first_message_at, *times)
            campaign.last_message_at = max(campaign.last_message_at, *times)
            campaign.updated_at = now
            touched.append(campaign)
        Campaign.objects.for_office(self.office).bulk_update(
            touched, ["first_message_at", "last_message_at", "updated_at"]
        )
        audit_records(
            office=self.office,
            actor_kind=ActorKind.SYSTEM,
            events=[("campaigns.campaign.members_added", c) for c in touched if c not in self.created],
        )
        self._refresh_grown()
        from campaigns import sending  # sending builds on detection's results

        new = {campaign.pk for campaign in self.created}
        answering = {
            pk
            for pk, known in self.known.items()
            if pk not in new and (known.campaign.mode == ResponseMode.ACKNOWLEDGEMENT or known.campaign.reply_to_later)
        }
        if answering:  # only campaigns that answer later arrivals by themselves
            sending.reply_to_arrivals(office=self.office, members=[m for m in created if m.campaign_id in answering])

    def _refresh_grown(self) -> None:
        """Take the text again of campaigns that just grew past a REFRESH_AT size."""
        added = collections.Counter(joined.campaign_id for joined in self.joined)
        sizes = (
            CampaignMember.objects.for_office(self.office)
            .filter(campaign_id__in=list(added))
            .values_list("campaign_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for campaign_id, size in sizes:
            if any(size - added[campaign_id] < at <= size for at in template.REFRESH_AT):
                known = self.known[campaign_id]
                known.template = template.refresh(known.campaign, self.settings)


def _bands_with(office: Office, keys: list[int], since: dt.datetime) -> list[tuple[int, int]]:
    """(signature, key) of the stored band keys among ``keys``, of exemplars or of messages received
    since ``since``. On PostgreSQL one array parameter (``= ANY``): thousands of IN parameters cost
    more to plan than to look up."""
    if connection.vendor != "postgresql":
        return list(
            SignatureBand.objects.for_office(office)
            .filter(Q(received_at__isnull=True) | Q(received_at__gte=since), key__in=keys)
            .values_list("signature_id", "key")
        )
    table = SignatureBand._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT signature_id, key FROM {table} WHERE office_id = %s AND key = ANY(%s::bigint[])"  # noqa: S608
            " AND (received_at IS NULL OR received_at >= %s)",
            [office.pk, _braced(map(str, keys)), since],
        )
        return cursor.fetchall()


def _insert_signatures(office: Office, records: list[Record], now: dt.datetime) -> list[int]:
    """Store each record's signature; their ids in the order of ``records``. On PostgreSQL one
    INSERT of arrays: bulk_create's per-value preparation was a tenth of detection's time."""
    rows = [
        MessageSignature(
            office=office,
            message_id=record.message_id,
            minhash=text.to_bytes(record.minhash),
            shingles=record.size,
            sender_key=record.sender_key[:254],  # a key for counting senders: RFC 5321 addresses fit
            received_at=record.received_at,
            platform=record.platform,
            created_at=now,
        )
        for record in records
    ]
    if connection.vendor != "postgresql":
        return [signature.pk for signature in MessageSignature.objects.for_office(office).bulk_create(rows)]
    table = MessageSignature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (office_id, created_at, excluded, message_id, minhash, shingles, sender_key,"  # noqa: S608
            " received_at, platform) SELECT %s, %s, false, * FROM unnest(%s::bigint[], %s::bytea[], %s::int[],"
            " %s::text[], %s::timestamptz[], %s::text[]) RETURNING id, message_id",
            [
                office.pk,
                now,
                [row.message_id for row in rows],
                [row.minhash for row in rows],
                [row.shingles for row in rows],
                [row.sender_key for row in rows],
                [row.received_at for row in rows],
                [row.platform for row in rows],
            ],
        )
        ids = {message_id: pk for pk, message_id in cursor.fetchall()}
    return [ids[row.message_id] for row in rows]


def _insert_bands(office: Office, signatures: list[tuple[int, list[int], dt.datetime | None]]) -> None:
    """The band keys of each (signature, keys, received_at): on PostgreSQL one INSERT of three array
    literals (model instances for tens of thousands of rows cost more than detection itself;
    psycopg2's ``ARRAY[…]``, an expression per element, three times more to send and parse)."""
    if not signatures:
        return
    if connection.vendor != "postgresql":
        SignatureBand.objects.for_office(office).bulk_create(
            [
                SignatureBand(office=office, signature_id=pk, key=key, received_at=at)
                for pk, keys, at in signatures
                for key in keys
            ],
            batch_size=2000,
        )
        return
    owners, keys, times = [], [], []
    for pk, own_keys, at in signatures:
        keys.append(",".join(map(str, own_keys)))
        owners.append(",".join([str(pk)] * len(own_keys)))
        times.append(",".join([at.isoformat() if at else "NULL"] * len(own_keys)))
    table = SignatureBand._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (office_id, signature_id, key, received_at)"
            " SELECT %s, unnest(%s::bigint[]), unnest(%s::bigint[]), unnest(%s::timestamptz[])",
            [office.pk, _braced(owners), _braced(keys), _braced(times)],
        )


def _braced(parts: Iterable[str]) -> str:
    """A PostgreSQL array literal (``{1,2,NULL}``) of comma-joined parts."""
    return "{" + ",".join(parts) + "}"


def _headers(messages: Iterable[Message]) -> dict[int, bytes]:
    """The raw bytes of each message that has them (for its headers), in one query at most."""
    found: dict[int, bytes] = {}
    missing: dict[int, int] = {}
    for message in messages:
        if not message.raw_email_id:
            continue
        if Message.raw_email.is_cached(message):
            found[message.pk] = bytes(message.raw_email.raw)
        else:
            missing[message.raw_email_id] = message.pk
    if missing:
        for raw_id, raw in RawEmail.unscoped.filter(pk__in=list(missing)).values_list("pk", "raw"):
            found[missing[raw_id]] = bytes(raw)
    return found


def _stored_texts(office: Office, ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = Message.objects.for_office(office).filter(pk__in=ids).values_list("pk", "text", "subject")
    return {pk: (body, subject) for pk, body, subject in rows}


def _messages_of(office: Office, joined: list[Joined]) -> dict[int, Message]:
    have = {j.record.message_id: j.record.message for j in joined if j.record.message is not None}
    wanted = [j.record.message_id for j in joined if j.record.message is None]
    if wanted:
        loaded = (
            Message.objects.for_office(office)
            .filter(pk__in=wanted)
            .only("pk", "office_id", "text", "constituent_id", "sender_email", "sender_name", "received_at")
        )
        have.update({message.pk: message for message in loaded})
    return have


_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw)\s*:\s*)+", re.IGNORECASE)


def _name(subjects: list[str]) -> str:
    """The commonest subject (without Re:/Fwd:), as the campaign's first name."""
    cleaned = [_PREFIX.sub("", subject).strip() for subject in subjects]
    counted = collections.Counter(s for s in cleaned if s)
    if not counted:
        return f"Campaign of {timezone.localdate():%-d %B %Y}"
    return counted.most_common(1)[0][0][:200]
