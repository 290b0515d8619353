"""Erasure of a person: every registered table's rows anonymised or deleted, in one transaction.

What each table does is the registering app's decision (``PersonalData.erase``): records that
figures depend on (the person, their cases, the messages' dates and channels) are anonymised,
everything else is deleted. Here, for every table alike: stored files are deleted after the
commit, stored search vectors are cleared and rebuilt from what remains, apps' erasure hooks
run, and the office's cache keys are purged. The audit log keeps its entries: they hold ids and
field names, never values.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.utils import timezone

from security import personal_data
from security.audit import audit_record
from security.dataprotection import cache, cleanup, collect
from security.dataprotection.collect import Found
from security.dataprotection.models import Erasure, ErasureReason
from security.errors import DomainError
from security.models import Office, User


class ConfirmationNeeded(DomainError):
    """Something must be settled first (an open case); the manager confirms it may be."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Confirm that these may be closed first: " + "; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class ErasurePreview:
    counts: list[tuple[str, int]]
    to_settle: list[str]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


def erasure_preview(*, office: Office, subject: models.Model) -> ErasurePreview:
    """What an erasure would touch, and what it would settle first (open cases)."""
    found = collect.rows_for_subject(office, subject)
    return ErasurePreview(
        counts=[(item.title, len(item.pks)) for item in found],
        to_settle=[line for p in personal_data.erasure_preconditions() for line in p.find(office, subject)],
    )


def erase_found(office: Office, found: list[Found]) -> dict[str, int]:
    """Erase the rows found (ids fixed beforehand): the registered erase, then files, vectors.

    Vectors are rebuilt only once every table is erased: a person's vector is made from rows of
    other tables (their email addresses). Call inside a transaction. Shared with retention and
    the handover purge.
    """
    counts: dict[str, int] = {}
    for item in found:
        entry = item.entry
        files = {
            (name, getattr(row, name).name)
            for row in item.rows().only("pk", *entry.file_fields)
            for name in entry.file_fields
            if getattr(row, name)
        }
        for row in item.rows().iterator(chunk_size=200):
            entry.erase_row(row)
        counts[item.label] = len(item.pks)
        for name, stored in sorted(files):
            if not entry.model._base_manager.filter(**{name: stored}).exists():
                cleanup.cleanup_schedule(office=office, kind=cleanup.STORAGE_DELETE, payload={"name": stored})
    for item in found:
        vectors = [f.name for f in item.entry.model._meta.concrete_fields if isinstance(f, SearchVectorField)]
        if vectors and item.rows().exists():
            item.rows().update(**dict.fromkeys(vectors))
            if item.entry.reindex is not None:
                item.entry.reindex(item.rows())
    return counts


@transaction.atomic
def subject_erase(
    *,
    office: Office,
    subject_id: int,
    actor: User | None,
    reason: str = ErasureReason.REQUEST,
    confirm_settle: bool = False,
) -> Erasure:
    """Erase a person from the office. Open cases (and anything else a precondition finds) are
    refused unless ``confirm_settle``: they are then closed first, in the same transaction."""
    model = personal_data.subject().model
    subject = model._base_manager.select_for_update().filter(office=office, pk=subject_id).first()
    if subject is None:
        raise DomainError("That person is not held by this office.")
    to_settle = {p.key: p.find(office, subject) for p in personal_data.erasure_preconditions()}
    reasons = [line for lines in to_settle.values() for line in lines]
    if reasons and not confirm_settle:
        raise ConfirmationNeeded(reasons)
    for precondition in personal_data.erasure_preconditions():
        if to_settle[precondition.key]:
            precondition.resolve(office, subject, actor)
    found = collect.rows_for_subject(office, subject)
    counts = erase_found(office, found)
    for hook in personal_data.erasure_hooks():
        hook(office, subject_id)
    erasure = Erasure.objects.create(
        office=office,
        subject_id=subject_id,
        reason=reason,
        performed_by=actor,
        performed_at=timezone.now(),
        settled=len(reasons),
        counts=counts,
    )
    audit_record(
        verb="security.erasure.performed",
        office=office,
        actor=actor,
        object_type=model._meta.label_lower,
        object_id=subject_id,
        fields=sorted(counts),
    )
    transaction.on_commit(lambda: cache.office_cache_purge(office.pk))
    return erasure
