"""Queueing and sending outgoing email: the only way mail leaves for a constituent or a third party.

Queueing writes a row (once per idempotency key) and, on commit, nudges a worker. Sending is
a sweep: claim due rows (``FOR UPDATE SKIP LOCKED``; a conditional UPDATE on SQLite) and
commit the claim, then talk to the mail server, marking each row in its own short transaction.
A worker that dies leaves rows ``sending``; after the lease they are queued again, so the one
message in flight at the crash may go twice and nothing is lost. Retries wait in
``next_attempt_at`` — never in a Celery countdown.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from constituents.models import Constituent
from correspondence.models import (
    BatchState,
    Message,
    OutboxBatch,
    OutboxStatus,
    OutgoingEmail,
    Priority,
    SendingIdentity,
    SmtpSecurity,
    Transport,
)
from security.audit import audit_record
from security.models import Office, User

logger = logging.getLogger(__name__)


# --- The sending identity -------------------------------------------------------------------
def identity_for(office: Office) -> SendingIdentity:
    """The office's sending identity; until a manager sets one, the service's own mail settings."""
    identity = SendingIdentity.objects.for_office(office).first()
    if identity is not None:
        return identity
    identity = SendingIdentity(office=office, from_email=_default_from_address(), from_name=office.name)
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:  # another request created it first
        return SendingIdentity.objects.for_office(office).get()
    return identity


def _default_from_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"


def identity_update(
    *, identity: SendingIdentity, actor: User, password: str | None, **values: object
) -> SendingIdentity:
    """Change the sending identity. ``password=None`` keeps the stored one; "" clears it."""
    changed = [name for name, value in values.items() if getattr(identity, name) != value]
    for name, value in values.items():
        setattr(identity, name, value)
    if password is not None:
        identity.password_set(password)
        changed.append("smtp_password")
    with transaction.atomic():
        identity.save()
        audit_record(
            verb="correspondence.identity.changed", office=identity.office, actor=actor, obj=identity, fields=changed
        )
    return identity


# --- Queueing -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    """One email to queue: who it goes to and what it says."""

    idempotency_key: str
    to_email: str
    subject: str
    text: str
    to_name: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    constituent: Constituent | None = None
    message: Message | None = None


def _one_line(value: str, limit: int) -> str:
    # A line break in a header would let a sender's name smuggle in headers of its own.
    return " ".join(value.split())[:limit]


def new_message_id(from_email: str) -> str:
    domain = from_email.rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain).strip("<>")


def _invalid_recipient(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return f"Not a valid email address: {address[:200]!r}"
    return ""


def _row(
    office: Office,
    identity: SendingIdentity,
    draft: Draft,
    *,
    priority: int,
    batch: OutboxBatch | None,
    actor: User | None,
    message_id: str | None,
) -> OutgoingEmail:
    error = _invalid_recipient(draft.to_email)
    return OutgoingEmail(
        office=office,
        idempotency_key=draft.idempotency_key[:200],
        priority=priority,
        batch=batch,
        message_id=message_id or new_message_id(identity.from_email),
        from_email=identity.from_email,
        from_name=identity.from_name,
        to_email=draft.to_email[:254],
        to_name=_one_line(draft.to_name, 300),
        subject=_one_line(draft.subject, 1000),
        text=draft.text,
        html=draft.html,
        headers={name: _one_line(value, 2000) for name, value in draft.headers.items()},
        constituent=draft.constituent,
        timeline_message=draft.message,
        status=OutboxStatus.FAILED if error else OutboxStatus.QUEUED,
        last_error=error,
        created_by=actor,
    )


def outbox_enqueue(
    *,
    office: Office,
    draft: Draft,
    priority: int = Priority.REPLY,
    batch: OutboxBatch | None = None,
    actor: User | None = None,
    message_id: str | None = None,
) -> tuple[OutgoingEmail, bool]:
    """Queue one email; the same idempotency key queues nothing more. Returns (row, created).

    An invalid recipient is stored as failed with the reason, so the caller's other mail goes on.
    """
    existing = OutgoingEmail.objects.for_office(office).filter(idempotency_key=draft.idempotency_key[:200]).first()
    if existing is not None:
        return existing, False
    row = _row(office, identity_for(office), draft, priority=priority, batch=batch, actor=actor, message_id=message_id)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return OutgoingEmail.objects.for_office(office).get(idempotency_key=row.idempotency_key), False
    transaction.on_commit(_nudge_sender)
    return row, True


def outbox_enqueue_many(
    *,
    office: Office,
    drafts: Iterable[Draft],
    priority: int = Priority.BULK,
    batch: OutboxBatch | None = None,
    actor: User | None = None,
    chunk: int = 1000,
) -> int:
    """Queue many emails in the caller's transaction; keys already queued are skipped. Returns rows added."""
    identity = identity_for(office)
    added = 0
    pending: list[OutgoingEmail] = []
    for draft in drafts:
        pending.append(_row(office, identity, draft, priority=priority, batch=batch, actor=actor, message_id=None))
        if len(pending) >= chunk:
            added += _insert_new(office, pending)
            pending = []
    added += _insert_new(office, pending)
    if added:
        transaction.on_commit(_nudge_sender)
    return added


def _insert_new(office: Office, rows: list[OutgoingEmail]) -> int:
    if not rows:
        return 0
    keys = [row.idempotency_key for row in rows]
    before = OutgoingEmail.objects.for_office(office).filter(idempotency_key__in=keys).count()
    OutgoingEmail.unscoped.bulk_create(rows, ignore_conflicts=True)
    return OutgoingEmail.objects.for_office(office).filter(idempotency_key__in=keys).count() - before


def _nudge_sender() -> None:
    from correspondence import tasks  # tasks import this module

    try:
        tasks.send_outbox.delay()
    except Exception:  # noqa: BLE001 - the broker is down: the beat sweep sends it later
        logger.warning("Could not nudge the outbox sender; the sweep will send.")


# --- Batches --------------------------------------------------------------------------------
def batch_create(*, office: Office, label: str, actor: User | None) -> OutboxBatch:
    return OutboxBatch.objects.create(office=office, label=label[:200], created_by=actor)


@transaction.atomic
def batch_set_state(*, batch: OutboxBatch, state: str, actor: User) -> OutboxBatch:
    """Hold, resume or cancel a batch. Cancelling cancels what has not been sent; it cannot be undone."""
    locked = OutboxBatch.objects.for_office(batch.office).select_for_update().get(pk=batch.pk)
    if locked.state == BatchState.CANCELLED:
        raise ValidationError("This send was cancelled; it cannot be paused or resumed.")
    locked.state = state
    locked.save(update_fields=["state"])
    if state == BatchState.CANCELLED:
        locked.emails.filter(status=OutboxStatus.QUEUED).update(status=OutboxStatus.CANCELLED)
    elif state == BatchState.ACTIVE:
        transaction.on_commit(_nudge_sender)
    audit_record(verb=f"correspondence.batch.{state}", office=batch.office, actor=actor, obj=locked)
    return locked


def batch_progress(batch: OutboxBatch) -> dict[str, int]:
    """Rows per status, every status present (0 when none)."""
    return batches_with_progress(batch.office, [batch])[0][1]


def batches_with_progress(office: Office, batches: list[OutboxBatch]) -> list[tuple[OutboxBatch, dict[str, int]]]:
    """Each batch with its rows per status, in one query."""
    counts: dict[int, dict[str, int]] = {batch.pk: dict.fromkeys(OutboxStatus.values, 0) for batch in batches}
    grouped = (
        OutgoingEmail.objects.for_office(office)
        .filter(batch__in=batches)
        .values_list("batch_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for batch_id, status, n in grouped:
        counts[batch_id][status] = n
    return [(batch, counts[batch.pk]) for batch in batches]


@transaction.atomic
def outgoing_retry(*, outgoing: OutgoingEmail, actor: User) -> OutgoingEmail:
    """Send a failed email again (after the address or the mail settings were put right)."""
    updated = OutgoingEmail.objects.for_office(outgoing.office).filter(pk=outgoing.pk, status=OutboxStatus.FAILED)
    if not updated.update(status=OutboxStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error=""):
        raise ValidationError("Only a failed email can be sent again.")
    audit_record(verb="correspondence.outgoing.retried", office=outgoing.office, actor=actor, obj=outgoing)
    transaction.on_commit(_nudge_sender)
    outgoing.refresh_from_db()
    return outgoing


# --- Claiming -------------------------------------------------------------------------------
def outbox_release_expired(now: dt.datetime | None = None) -> int:
    """Queue again the rows of workers that died mid-send (their lease ran out)."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    return OutgoingEmail.unscoped.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - lease).update(
        status=OutboxStatus.QUEUED, claim_token="", claimed_at=None, next_attempt_at=now
    )


def _due(now: dt.datetime):
    return OutgoingEmail.unscoped.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now).filter(
        Q(batch__isnull=True) | Q(batch__state=BatchState.ACTIVE)
    )


def _start_of_local_day(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _allowance(identity: SendingIdentity, now: dt.datetime) -> tuple[int | None, dt.datetime]:
    """How many more this office may start now, and when to look again if none (None: no limit)."""
    rows = OutgoingEmail.objects.for_office(identity.office)
    in_flight = (
        rows.filter(status=OutboxStatus.SENDING).count() if (identity.rate_per_minute or identity.daily_cap) else 0
    )
    allowed: int | None = None
    retry_at = now + dt.timedelta(minutes=1)
    if identity.rate_per_minute:
        last_minute = rows.filter(sent_at__gt=now - dt.timedelta(minutes=1)).count()
        allowed = max(identity.rate_per_minute - last_minute - in_flight, 0)
    if identity.daily_cap:
        today = _start_of_local_day(now)
        left_today = max(identity.daily_cap - rows.filter(sent_at__gte=today).count() - in_flight, 0)
        if left_today == 0:
            retry_at = today + dt.timedelta(days=1)
        allowed = left_today if allowed is None else min(allowed, left_today)
    return allowed, retry_at


def _claim(token: str, now: dt.datetime) -> list[OutgoingEmail]:
    """Claim up to OUTBOX_CLAIM_BATCH due rows within each office's limits; commit before sending."""
    while True:
        with transaction.atomic():
            candidates = list(
                _due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("priority", "next_attempt_at", "id")
                .values_list("id", "office_id")[: settings.OUTBOX_CLAIM_BATCH]
            )
            if not candidates:
                return []
            chosen: list[int] = []
            for office_id, ids in _by_office(candidates).items():
                chosen += _within_limits(office_id, ids, now)
            claimed = OutgoingEmail.unscoped.filter(pk__in=chosen, status=OutboxStatus.QUEUED).update(
                status=OutboxStatus.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
        # When every candidate was over its office's limit they now wait; look at the next ones.
        if claimed:
            break
    return list(
        OutgoingEmail.unscoped.filter(claim_token=token, status=OutboxStatus.SENDING)
        .select_related("office", "timeline_message")
        .order_by("priority", "id")
    )


def _by_office(candidates: Sequence[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for row_id, office_id in candidates:
        grouped.setdefault(office_id, []).append(row_id)
    return grouped


def _within_limits(office_id: int, ids: list[int], now: dt.datetime) -> list[int]:
    # Locking the identity row makes workers take turns per office, so together they keep the limit.
    identity = SendingIdentity.unscoped.select_for_update().filter(office_id=office_id).select_related("office").first()
    if identity is None:
        return ids
    allowed, retry_at = _allowance(identity, now)
    if allowed is None or allowed >= len(ids):
        return ids
    # Over the limit: the rest wait (the lowest priority last), out of the way of other offices.
    OutgoingEmail.unscoped.filter(pk__in=ids[allowed:]).update(next_attempt_at=retry_at)
    return ids[:allowed]


# --- Sending --------------------------------------------------------------------------------
class TemporaryFailure(Exception):
    """Worth trying again later (a 4xx answer, the server unreachable, the login refused)."""


class PermanentFailure(Exception):
    """Will never succeed as it is (a 5xx for this recipient, a message that cannot be built)."""


def outbox_send_due(*, max_seconds: float | None = None) -> int:
    """Send what is due until nothing is left or the time runs out. Returns how many were sent."""
    outbox_release_expired()
    deadline = time.monotonic() + (max_seconds if max_seconds is not None else settings.OUTBOX_RUN_SECONDS)
    sent = 0
    while time.monotonic() < deadline:
        token = uuid.uuid4().hex
        rows = _claim(token, timezone.now())
        if not rows:
            break
        sent += _deliver(rows, token)
    return sent


def _deliver(rows: list[OutgoingEmail], token: str) -> int:
    sent = 0
    for office_id, office_rows in _group(rows).items():
        identity = SendingIdentity.unscoped.filter(office_id=office_id).first()
        connection = _connection(identity)
        try:
            connection.open()
        except Exception as error:  # noqa: BLE001 - unreachable or refused: every row waits
            for row in office_rows:
                _mark_failed(row, token, TemporaryFailure(_describe(error)))
            continue
        try:
            reply_to = identity.reply_to if identity else ""
            for row in office_rows:
                sent += _send_one(row, token, connection, reply_to=reply_to)
        finally:
            _close(connection)
    return sent


def _group(rows: list[OutgoingEmail]) -> dict[int, list[OutgoingEmail]]:
    grouped: dict[int, list[OutgoingEmail]] = {}
    for row in rows:
        grouped.setdefault(row.office_id, []).append(row)
    return grouped


def _connection(identity: SendingIdentity | None) -> BaseEmailBackend:
    if identity is None or identity.transport == Transport.DEPLOYMENT:
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=identity.smtp_host,
        port=identity.smtp_port,
        username=identity.smtp_username or None,
        password=identity.password_get() or None,
        use_tls=identity.smtp_security == SmtpSecurity.STARTTLS,
        use_ssl=identity.smtp_security == SmtpSecurity.TLS,
        timeout=settings.OUTBOX_SMTP_TIMEOUT_SECONDS,
        fail_silently=False,
    )


def _close(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - the messages are marked already; a failed QUIT changes nothing
        logger.info("Closing the mail connection failed.")


def _send_one(row: OutgoingEmail, token: str, connection: BaseEmailBackend, *, reply_to: str) -> int:
    try:
        email = _build(row, connection, reply_to=reply_to)
        email.send()
    except Exception as error:  # noqa: BLE001 - classified, recorded on the row, never lost
        _mark_failed(row, token, _classify(error))
        if isinstance(error, (smtplib.SMTPServerDisconnected, OSError)):
            _reopen(connection)
        return 0
    _mark_sent(row, token)
    return 1


def _reopen(connection: BaseEmailBackend) -> None:
    _close(connection)
    try:
        connection.open()
    except Exception:  # noqa: BLE001 - the next send fails and is recorded as temporary
        logger.info("Reopening the mail connection failed.")


def _build(row: OutgoingEmail, connection: BaseEmailBackend, *, reply_to: str) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<{row.message_id}>", **row.headers}
    email = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=formataddr((row.from_name, row.from_email)),
        to=[formataddr((row.to_name, row.to_email))],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
        connection=connection,
    )
    if row.html:
        email.attach_alternative(row.html, "text/html")
    if row.timeline_message is not None:
        for attachment in row.timeline_message.attachments.all():
            with attachment.file.open("rb") as handle:
                email.attach(attachment.name, handle.read(), attachment.content_type)
    return email


def _classify(error: BaseException) -> TemporaryFailure | PermanentFailure:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        failure = PermanentFailure if codes and all(code >= 500 for code in codes) else TemporaryFailure
        return failure(_describe(error))
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError)):
        # The office's own settings are wrong: every message waits until a manager fixes them.
        return TemporaryFailure(_describe(error))
    if isinstance(error, smtplib.SMTPResponseException):
        return (PermanentFailure if error.smtp_code >= 500 else TemporaryFailure)(_describe(error))
    if isinstance(error, (smtplib.SMTPException, OSError)):
        return TemporaryFailure(_describe(error))
    return PermanentFailure(_describe(error))


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(reply)}" for code, reply in error.recipients.values()]
        return "Recipient refused: " + "; ".join(parts)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"Mail server answered {error.smtp_code}: {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"[:1000]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _mark_sent(row: OutgoingEmail, token: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        _relax_durability()
        marked = OutgoingEmail.unscoped.filter(pk=row.pk, claim_token=token, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.SENT, sent_at=now, last_error=""
        )
        if marked and row.timeline_message_id is not None:
            Message.unscoped.filter(pk=row.timeline_message_id).update(sent_at=now)


def _relax_durability() -> None:
    """Let this commit return before PostgreSQL flushes it to disk (the flush was most of its cost).

    Should the database itself crash in the next moment, the row is found ``sending`` again and
    the message is sent once more: the outbox's promise (never lost, perhaps repeated after a
    crash) holds, and every other write keeps full durability.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _mark_failed(row: OutgoingEmail, token: str, failure: TemporaryFailure | PermanentFailure) -> None:
    reason = str(failure)[:1000]
    claimed = OutgoingEmail.unscoped.filter(pk=row.pk, claim_token=token, status=OutboxStatus.SENDING)
    if isinstance(failure, TemporaryFailure) and row.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        claimed.update(
            status=OutboxStatus.QUEUED, next_attempt_at=timezone.now() + _backoff(row.attempts), last_error=reason
        )
        return
    if isinstance(failure, TemporaryFailure):
        reason = f"Gave up after {row.attempts} attempts. {reason}"[:1000]
    claimed.update(status=OutboxStatus.FAILED, last_error=reason)


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))
