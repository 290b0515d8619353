"""Work outside the database that an erasure leaves: deleting stored files and mail on a server.

``cleanup_schedule`` writes a ``PendingCleanup`` row in the caller's transaction, so the work
exists exactly when the erasure committed. A worker runs it after the commit (``cleanups_run``,
also swept by beat), retrying with back-off until the handler succeeds; the row is then deleted.
Handlers are registered by kind: ``storage.delete`` here, others by the apps that own the
remote copy (correspondence deletes the processed copy in the office's IMAP folder).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from security.dataprotection.models import PendingCleanup
from security.models import Office

logger = logging.getLogger(__name__)
STORAGE_DELETE = "storage.delete"
MAX_BACKOFF = dt.timedelta(days=1)

_handlers: dict[str, Callable[[Office, dict[str, Any]], None]] = {}


def register_handler(kind: str, handler: Callable[[Office, dict[str, Any]], None]) -> None:
    """``handler(office, payload)`` does the work, or raises to be retried later. It must be
    idempotent: a worker that dies after the work but before the row is deleted runs it again."""
    _handlers[kind] = handler


def cleanup_schedule(*, office: Office, kind: str, payload: dict[str, Any]) -> PendingCleanup:
    """Record work to do once the current transaction commits; a worker is woken on commit."""
    row = PendingCleanup.objects.create(office=office, kind=kind, payload=payload)
    transaction.on_commit(_enqueue)
    return row


def _enqueue() -> None:
    from security import tasks  # tasks import this module

    try:
        tasks.cleanups_run.delay()
    except Exception:  # noqa: BLE001 - the broker is down: the beat sweep runs them later
        logger.warning("Could not enqueue the data-protection clean-up; the sweep will run it.")


def _storage_delete(office: Office, payload: dict[str, Any]) -> None:
    name = payload["name"]
    if not name.startswith(f"offices/{office.pk}/"):
        raise ValueError("A clean-up may only delete files under its own office's path.")
    default_storage.delete(name)  # deleting a file already gone is not an error


register_handler(STORAGE_DELETE, _storage_delete)


def _claim(row_id: int, now: dt.datetime) -> bool:
    lease = dt.timedelta(seconds=settings.DATA_PROTECTION_CLEANUP_LEASE_SECONDS)
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease)
    return bool(
        PendingCleanup.unscoped.filter(free, pk=row_id, next_attempt_at__lte=now).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    )


def cleanup_run(row_id: int) -> bool:
    """Run one clean-up if it is due and unclaimed. True when it was done (and deleted)."""
    now = timezone.now()
    if not _claim(row_id, now):
        return False
    row = PendingCleanup.unscoped.select_related("office").get(pk=row_id)
    handler = _handlers.get(row.kind)
    try:
        if handler is None:
            raise LookupError(f"No handler is registered for {row.kind!r}.")
        handler(row.office, row.payload)
    except Exception as error:  # noqa: BLE001 - recorded on the row and retried with back-off
        delay = min(dt.timedelta(minutes=2 ** min(row.attempts, 12)), MAX_BACKOFF)
        PendingCleanup.unscoped.filter(pk=row_id).update(
            claimed_at=None, next_attempt_at=now + delay, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        logger.warning("Clean-up %s (%s) failed; retrying in %s.", row_id, row.kind, delay)
        return False
    PendingCleanup.unscoped.filter(pk=row_id).delete()
    return True


def cleanups_run(*, limit: int = 200) -> int:
    """The sweep: every due clean-up of every office, oldest first. Returns how many were done."""
    due = PendingCleanup.unscoped.filter(next_attempt_at__lte=timezone.now()).order_by("id")
    return sum(cleanup_run(pk) for pk in list(due.values_list("pk", flat=True)[:limit]))
