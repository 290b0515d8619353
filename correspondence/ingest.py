"""Ingestion that loses nothing: the raw bytes are stored first, parsed after.

``store_raw`` commits the bytes (or finds the copy already stored) and enqueues
``process_raw`` on commit. ``process_raw`` claims the row with a conditional UPDATE, so two
workers never both parse it, and parses it in its own transaction. The database is the queue:
``raw_parse_pending`` (the beat sweep) finds rows whose task was lost and claims left by a dead
worker once their lease has run out. Every path — IMAP poller, webhook, ``ingest_email`` —
comes through here.

Attachment files are written to storage during the parse, before its transaction commits; the
names written are tracked, and removed again if the transaction rolls back (``_removed_on_failure``),
so a failed parse leaves no file that no row refers to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from casework import services as case_services
from correspondence import hooks, mime, search_index
from correspondence.models import (
    Attachment,
    Channel,
    Direction,
    Message,
    ParseState,
    RawEmail,
    RawSource,
    TriageState,
)
from correspondence.sanitise import html_sanitise, html_to_text
from correspondence.threading import case_for_message, constituent_for_email
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User

logger = logging.getLogger(__name__)
MAX_ERROR = 500


def _now() -> dt.datetime:
    return timezone.now()


# --- Storing ------------------------------------------------------------------------------------
def _existing(
    office: Office, *, mailbox_key: str, uidvalidity: int | None, uid: int | None, message_id: str, sha256: str
) -> RawEmail | None:
    rows = RawEmail.objects.for_office(office)
    if uid is not None:
        found = rows.filter(mailbox_key=mailbox_key, uidvalidity=uidvalidity, uid=uid).first()
        if found is not None:
            return found
    return rows.filter(message_id=message_id, sha256=sha256).first()


def store_raw(
    *,
    office: Office,
    raw: bytes,
    source: str,
    mailbox_key: str = "",
    uidvalidity: int | None = None,
    uid: int | None = None,
    folder: str = "",
    enqueue: bool = True,
) -> tuple[RawEmail, bool]:
    """Keep ``raw`` exactly as received; returns (row, created). A duplicate — the same mailbox
    + UIDVALIDITY + UID, or the same Message-ID with the same bytes — returns the stored row.

    Call it outside any transaction where you can: its commit is what makes the mail safe.
    ``enqueue=False`` is for callers that parse at once themselves (``ingest_email``).
    """
    raw = bytes(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id = mime.peek_message_id(raw)
    lookup = {"mailbox_key": mailbox_key, "uidvalidity": uidvalidity, "uid": uid, "message_id": message_id}
    found = _existing(office, sha256=sha256, **lookup)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            row = RawEmail.objects.create(
                office=office,
                source=source,
                raw=raw,
                size=len(raw),
                sha256=sha256,
                folder=folder[:200],
                **lookup,
            )
            audit_record(verb="correspondence.raw_email.stored", office=office, obj=row)
            if enqueue:
                transaction.on_commit(lambda: _enqueue(row.pk))
    except IntegrityError:
        # Another worker stored the same message between our lookup and insert.
        found = _existing(office, sha256=sha256, **lookup)
        if found is None:
            raise
        return found, False
    return row, True


def _enqueue(raw_id: int) -> None:
    from correspondence import tasks  # tasks import this module

    try:
        tasks.process_raw.delay(raw_id)
    except Exception:  # noqa: BLE001 - the broker is down: the sweep parses it later
        logger.warning("Could not enqueue parsing of raw email %s; the sweep will.", raw_id)


# --- Claiming -----------------------------------------------------------------------------------
def _claimable(now: dt.datetime) -> Q:
    lease = dt.timedelta(seconds=settings.INBOUND_PARSE_LEASE_SECONDS)
    return Q(parse_state=ParseState.PENDING) & (Q(parse_claimed_at__isnull=True) | Q(parse_claimed_at__lt=now - lease))


def _claim(raw_id: int) -> bool:
    """Claim the row for this worker. Committed at once (outside the parse transaction), so a
    crash mid-parse leaves a claim that expires rather than a row locked or lost."""
    now = _now()
    return bool(
        RawEmail.unscoped.filter(_claimable(now), pk=raw_id).update(
            parse_claimed_at=now, parse_attempts=F("parse_attempts") + 1
        )
    )


# --- Parsing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParseOutcome:
    raw_id: int
    state: str
    message_id: int | None = None


def process_raw(raw_id: int) -> ParseOutcome | None:
    """Parse raw email ``raw_id`` into a Message. Idempotent: a row already parsed, or claimed by
    another worker whose lease is still running, is left alone (returns None)."""
    if not _claim(raw_id):
        return None
    written: list[str] = []
    try:
        with _removed_on_failure(written), transaction.atomic():
            raw = RawEmail.unscoped.select_related("office").get(pk=raw_id)
            return _parse_claimed(raw, written)
    except Exception as error:  # a bug or a database error: record it, retry later
        logger.exception("Parsing raw email %s failed", raw_id)
        return _record_failure(raw_id, f"{type(error).__name__} while parsing")


def _record_failure(raw_id: int, reason: str) -> ParseOutcome:
    """Release the claim; after too many attempts, quarantine for a person to look at."""
    rows = RawEmail.unscoped.filter(pk=raw_id, parse_state=ParseState.PENDING)
    rows.filter(parse_attempts__lt=settings.INBOUND_PARSE_MAX_ATTEMPTS).update(
        parse_claimed_at=None, parse_error=reason[:MAX_ERROR]
    )
    rows.filter(parse_attempts__gte=settings.INBOUND_PARSE_MAX_ATTEMPTS).update(
        parse_state=ParseState.QUARANTINED, parse_error=reason[:MAX_ERROR], parse_claimed_at=None
    )
    state = RawEmail.unscoped.filter(pk=raw_id).values_list("parse_state", flat=True).first()
    return ParseOutcome(raw_id=raw_id, state=state or ParseState.PENDING)


def _finish(raw: RawEmail, state: str, error: str = "") -> None:
    raw.parse_state = state
    raw.parse_error = error[:MAX_ERROR]
    raw.parsed_at = _now()
    raw.parse_claimed_at = None
    raw.save(update_fields=["parse_state", "parse_error", "parsed_at", "parse_claimed_at"])


def _parse_claimed(raw: RawEmail, written: list[str]) -> ParseOutcome:
    """Parse a claimed row inside the caller's transaction; the storage names of attachment files
    written are appended to ``written``, for the caller to remove should the transaction roll back."""
    data = bytes(raw.raw)
    oversize = len(data) > settings.INBOUND_MAX_BYTES
    try:
        parsed = mime.parse_email(data, headers_only=oversize)
    except mime.Unparseable as error:
        _finish(raw, ParseState.QUARANTINED, str(error))
        return ParseOutcome(raw_id=raw.pk, state=ParseState.QUARANTINED)
    outbound = raw.source == RawSource.SENT_FOLDER
    if outbound and parsed.message_id:
        # Mail the product sent itself is already on the timeline: link the copy, store no twin.
        sent = Message.objects.for_office(raw.office).filter(message_id=parsed.message_id).first()
        if sent is not None:
            if sent.raw_email_id is None:
                sent.raw_email = raw
                sent.save(update_fields=["raw_email", "updated_at"])
            _finish(raw, ParseState.PARSED)
            return ParseOutcome(raw_id=raw.pk, state=ParseState.PARSED, message_id=sent.pk)
    message = _message_create(raw, parsed, outbound=outbound)
    if oversize:
        _finish(
            raw, ParseState.OVERSIZE, f"Over the {settings.INBOUND_MAX_BYTES}-byte limit: attachments not extracted."
        )
    else:
        for attachment in parsed.attachments:
            _attachment_create(message, attachment, written)
        _finish(raw, ParseState.PARSED)
    search_index.refresh_message(message.pk)
    if message.direction == Direction.INBOUND:
        hooks.inbound_email_stored(message)
    return ParseOutcome(raw_id=raw.pk, state=raw.parse_state, message_id=message.pk)


def _message_create(raw: RawEmail, parsed: mime.ParsedEmail, *, outbound: bool) -> Message:
    office = raw.office
    if parsed.message_id and parsed.message_id != raw.message_id:
        raw.message_id = parsed.message_id
        raw.save(update_fields=["message_id"])
    case = case_for_message(
        office=office, in_reply_to=parsed.in_reply_to, references=parsed.references, subject=parsed.subject
    )
    # Outgoing mail is to the constituent; incoming mail is from them.
    counterpart = next((r["email"] for r in parsed.recipients if r["email"]), "") if outbound else parsed.sender_email
    constituent = constituent_for_email(office=office, email=counterpart)
    html = html_sanitise(parsed.html)
    text = parsed.text or html_to_text(html)
    if case is not None:
        triage = TriageState.FILED
    elif outbound or parsed.is_automatic:
        # Staff's own sent mail and auto-replies need nobody's triage.
        triage = TriageState.NO_ACTION
    else:
        triage = TriageState.NEW
    message = Message.objects.create(
        office=office,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        channel=Channel.EMAIL,
        raw_email=raw,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to[0] if parsed.in_reply_to else "",
        references=" ".join(parsed.references)[:20_000],
        sender_name=parsed.sender_name,
        sender_email=parsed.sender_email,
        recipients=parsed.recipients,
        subject=parsed.subject,
        text=text,
        html=html,
        sent_at=parsed.sent_at,
        received_at=raw.received_at,
        case=case,
        constituent=constituent,
        triage_state=triage,
        is_automatic=parsed.is_automatic,
    )
    if case is not None and not outbound and not parsed.is_automatic:
        case_services.case_constituent_wrote(case=case)
    return message


def _attachment_create(message: Message, parsed: mime.ParsedAttachment, written: list[str]) -> Attachment:
    size = len(parsed.data)
    # Too large to extract: listed and flagged, its bytes left in the raw email alone.
    too_large = size > settings.INBOUND_ATTACHMENT_MAX_BYTES
    attachment = Attachment(
        office=message.office,
        message=message,
        name=parsed.name,
        content_type=parsed.content_type[:100],
        declared_type=parsed.declared_type,
        size=size,
        sha256=hashlib.sha256(parsed.data).hexdigest(),
        is_inline=parsed.is_inline,
        is_executable=parsed.is_executable,
        too_large=too_large,
    )
    if not too_large:
        # The stored name is the hash (see attachment_path); the sender's name is only shown.
        attachment.file.save("attachment", ContentFile(parsed.data), save=False)
        written.append(attachment.file.name)
    attachment.save()
    return attachment


@contextmanager
def _removed_on_failure(written: list[str]) -> Iterator[None]:
    """Remove the files named in ``written`` if the block raises.

    Wrap a ``transaction.atomic()`` block in it (``with _removed_on_failure(w), atomic():``):
    an exception leaving that block has rolled the attachment rows back, so nothing refers to
    the files any more. Storage names are unique (``get_available_name``), so a file removed
    here is never another row's.
    """
    try:
        yield
    except BaseException:
        _files_remove(written)
        raise


def _files_remove(written: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in written:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - an orphan file is harmless; the parse's own error matters
            logger.warning("Could not remove attachment file %s after a rollback", name)
    written.clear()


# --- Storing and parsing at once (the ingest_email command, the benchmark) -------------------------
@dataclass(frozen=True)
class IngestResult:
    raw_id: int
    created: bool
    # "duplicate" when nothing new was stored, else the parse state the row ended in.
    state: str


def ingest_one(*, office: Office, raw: bytes, source: str) -> IngestResult:
    """Store ``raw`` and parse it at once, for callers that parse inline (``ingest_email``, no worker).

    One transaction and one commit per message, where a worker's path takes three (store, claim,
    parse): the row is inserted already claimed by this process, and the parse runs in a
    savepoint inside the same transaction. If parsing raises, only the savepoint is rolled back:
    the raw row still commits, its failure is recorded as ``process_raw`` would record it, and the
    sweep retries it. A duplicate is found by the unique constraint itself (no lookup first).
    Call it outside any transaction, as ``store_raw``.
    """
    raw = bytes(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    message_id = mime.peek_message_id(raw)
    failure = ""
    written: list[str] = []
    with _removed_on_failure(written), transaction.atomic():
        try:
            with transaction.atomic():
                now = _now()
                row = RawEmail.objects.create(
                    office=office,
                    source=source,
                    raw=raw,
                    size=len(raw),
                    sha256=sha256,
                    message_id=message_id,
                    parse_claimed_at=now,
                    parse_attempts=1,
                    received_at=now,
                )
        except IntegrityError:
            found = _existing(office, mailbox_key="", uidvalidity=None, uid=None, message_id=message_id, sha256=sha256)
            if found is None:
                raise
            return IngestResult(raw_id=found.pk, created=False, state="duplicate")
        audit_record(verb="correspondence.raw_email.stored", office=office, obj=row)
        try:
            with _removed_on_failure(written), transaction.atomic():
                outcome = _parse_claimed(row, written)
        except Exception as error:  # a bug or a database error: the raw row stays, retried later
            logger.exception("Parsing raw email %s failed", row.pk)
            failure = f"{type(error).__name__} while parsing"
    if failure:
        outcome = _record_failure(row.pk, failure)
    return IngestResult(raw_id=row.pk, created=True, state=outcome.state)


# --- The sweep and re-parsing -------------------------------------------------------------------
def raw_parse_pending(*, limit: int | None = None) -> int:
    """Parse raw email whose task never ran or whose worker died (lease expired); returns how
    many rows were parsed. Rows are claimed one by one, so several sweeps may run at once."""
    limit = limit or settings.INBOUND_PARSE_BATCH
    due = list(RawEmail.unscoped.filter(_claimable(_now())).order_by("id").values_list("pk", flat=True)[:limit])
    return sum(1 for raw_id in due if process_raw(raw_id) is not None)


@transaction.atomic
def raw_reparse(*, raw: RawEmail, actor: User) -> RawEmail:
    """A manager asks for a quarantined raw email to be parsed again (after a fix to the parser)."""
    if raw.parse_state != ParseState.QUARANTINED:
        raise DomainError("Only a quarantined email can be parsed again.")
    RawEmail.objects.for_office(raw.office).filter(pk=raw.pk).update(
        parse_state=ParseState.PENDING, parse_error="", parse_attempts=0, parse_claimed_at=None, parsed_at=None
    )
    audit_record(verb="correspondence.raw_email.reparse_requested", office=raw.office, actor=actor, obj=raw)
    transaction.on_commit(lambda: _enqueue(raw.pk))
    raw.refresh_from_db()
    return raw
