"""Handover: when an MP leaves or boundaries change, cases leave the office with their people
and correspondence — moved to another office of the deployment once its manager accepts, or
exported and then purged. Audited on both sides.

The set is chosen by ward or reference and closed over people (a person moves with all their
cases). The rows are what the registry finds for those cases and people; a row moves only if
everything it points to moves too (a line on someone else's case that names a person stays),
rows left behind that point into the set let go of it (or are deleted when they cannot), and
stored files move under the new office's path. Each app's ``move`` hook adapts its rows to the
new office (case references, tag vocabulary, wards, mailbox copies).
"""

from __future__ import annotations

import secrets
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from security import personal_data
from security.audit import audit_record
from security.dataprotection import cleanup, collect, erasure, office_export
from security.dataprotection.models import ErasureReason, Handover, HandoverMode, HandoverStatus
from security.errors import DomainError
from security.models import AuditEvent, Membership, Office, User
from security.roles import Perm, role_allows
from security.services import notification_create

MAX_REFERENCES = 5000


@dataclass(frozen=True)
class Plan:
    case_ids: list[int]
    subject_ids: list[int]
    lines: list[str]
    unknown: list[str]


def handover_plan(*, office: Office, wards: list[str], references: list[str]) -> Plan:
    """The cases chosen, closed over their people, described for the manager."""
    selector = personal_data.case_selector()
    references = [r.strip() for r in references if r.strip()][:MAX_REFERENCES]
    chosen, unknown = selector.select(office, wards, references)
    case_ids, subject_ids = selector.close_over(office, chosen)
    return Plan(case_ids, subject_ids, selector.describe(office, case_ids), unknown)


# --- The rows that move ---------------------------------------------------------------------------
def _office_owned(model: type[models.Model]) -> bool:
    return any(f.name == "office" and f.is_relation for f in model._meta.concrete_fields)


def _links(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.name != "office" and f.related_model is not None and _office_owned(f.related_model)
    ]


def rows_to_move(office: Office, case_ids: list[int], subject_ids: list[int]) -> dict[type[models.Model], set[Any]]:
    """Every row that moves, by model: what the registry finds, rows of unregistered tables that
    belong to them (a case's participants), minus rows that point at something staying."""
    subject_model = personal_data.subject().model
    people = list(subject_model._base_manager.filter(office=office, pk__in=subject_ids))
    rows: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in personal_data.entries():
        if entry.rows_for_cases is not None and case_ids:
            rows[entry.model].update(entry.rows_for_cases(office, case_ids).values_list("pk", flat=True))
        if entry.rows_for_constituent is not None:
            for person in people:
                rows[entry.model].update(entry.rows_for_constituent(office, person).values_list("pk", flat=True))
    for model in apps.get_models():
        if not _office_owned(model) or personal_data.entry_for(model) is not None:
            continue
        for link in _links(model):
            if link.related_model in rows:
                pointing = model._base_manager.filter(office=office, **{f"{link.name}__in": rows[link.related_model]})
                rows[model].update(pointing.values_list("pk", flat=True))
    changed = True
    while changed:  # a row stays if anything it points to stays (and then so do rows pointing at it)
        changed = False
        for model, pks in rows.items():
            for link in _links(model):
                if link.related_model not in rows or not pks:
                    continue
                stays = (
                    model._base_manager.filter(pk__in=pks)
                    .exclude(**{f"{link.name}__isnull": True})
                    .exclude(**{f"{link.name}__in": rows[link.related_model]})
                    .values_list("pk", flat=True)
                )
                staying = set(stays)
                if staying:
                    pks -= staying
                    changed = True
    return {model: pks for model, pks in rows.items() if pks}


def _let_go(office: Office, moving: dict[type[models.Model], set[Any]]) -> int:
    """Rows staying behind that point at moving rows: the link is cleared, or the row deleted."""
    touched = 0
    for model in apps.get_models():
        if not _office_owned(model):
            continue
        for link in _links(model):
            if link.related_model not in moving:
                continue
            behind = model._base_manager.filter(
                office=office, **{f"{link.name}__in": moving[link.related_model]}
            ).exclude(pk__in=moving.get(model, set()))
            if link.null:
                try:
                    with transaction.atomic():
                        touched += behind.update(**{link.name: None})
                    continue
                except IntegrityError:
                    pass  # a check needs the link (a participant is someone): the row goes
            touched += behind.delete()[0]
    return touched


def _move_files(model: type[models.Model], pks: set[Any], source: Office, target: Office) -> None:
    """Stored files follow their rows under the new office's path; the old copies are deleted."""
    names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    old_prefix, new_prefix = f"offices/{source.pk}/", f"offices/{target.pk}/"
    for row in model._base_manager.filter(pk__in=pks).only("pk", *names):
        for name in names:
            stored = getattr(row, name)
            if not stored or not stored.name.startswith(old_prefix):
                continue
            with default_storage.open(stored.name, "rb") as handle:
                new_name = default_storage.save(new_prefix + stored.name.removeprefix(old_prefix), File(handle))
            model._base_manager.filter(pk=row.pk).update(**{name: new_name})
            cleanup.cleanup_schedule(office=source, kind=cleanup.STORAGE_DELETE, payload={"name": stored.name})


def move_rows(source: Office, target: Office, moving: dict[type[models.Model], set[Any]]) -> dict[str, int]:
    _let_go(source, moving)
    counts = {}
    for model, pks in moving.items():
        _move_files(model, pks, source, target)
        entry = personal_data.entry_for(model)
        if entry is None:
            model._base_manager.filter(pk__in=pks).update(office=target)
        else:
            for row in model._base_manager.filter(pk__in=pks).iterator(chunk_size=200):
                entry.move_row(row, target)
        for link in _links(model):  # a link to a table that stays (a ward, a mailbox) cannot cross offices
            if link.related_model not in moving and link.null:
                model._base_manager.filter(pk__in=pks, office=target).exclude(
                    **{f"{link.name}__office": target}
                ).exclude(**{f"{link.name}__isnull": True}).update(**{link.name: None})
        counts[model._meta.label_lower] = len(pks)
    return counts


# --- Moving to another office ---------------------------------------------------------------------
def _managers(office: Office) -> list[User]:
    members = Membership.objects.filter(office=office, is_active=True).select_related("user")
    return [m.user for m in members if role_allows(m.role, Perm.DATA_PROTECTION)]


def target_offices(office: Office) -> models.QuerySet[Office]:
    return Office.objects.filter(is_active=True).exclude(pk=office.pk).order_by("name")


@transaction.atomic
def handover_propose(
    *, office: Office, actor: User, target_office: Office, wards: list[str], references: list[str]
) -> Handover:
    """Offer the chosen cases to another office; nothing moves until its manager accepts."""
    if target_office.pk == office.pk or not target_office.is_active:
        raise DomainError("Choose another office of this deployment.")
    plan = handover_plan(office=office, wards=wards, references=references)
    if not plan.case_ids:
        raise DomainError("No cases match: choose wards or give case references.")
    handover = Handover.objects.create(
        office=office,
        mode=HandoverMode.MOVE,
        target_office=target_office,
        case_ids=plan.case_ids,
        subject_ids=plan.subject_ids,
        status=HandoverStatus.PROPOSED,
        proposed_by=actor,
    )
    audit_record(verb="security.handover.proposed", office=office, actor=actor, obj=handover, fields=["case_ids"])
    audit_record(verb="security.handover.offered", office=target_office, actor=actor, obj=handover)
    for manager in _managers(target_office):
        notification_create(
            office=target_office,
            recipient=manager,
            kind="security.handover.offered",
            title=f"{office.name} offers {len(plan.case_ids)} cases in a handover",
            link=f"/data-protection/handover/{handover.pk}",
        )
    return handover


def _lock(handover: Handover) -> Handover:
    return (
        Handover.unscoped.select_for_update(of=("self",)).select_related("office", "target_office").get(pk=handover.pk)
    )


@transaction.atomic
def handover_accept(*, handover: Handover, office: Office, actor: User) -> Handover:
    """The receiving office's manager accepts: the rows move, in one transaction."""
    handover = _lock(handover)
    if handover.target_office_id != office.pk or handover.status != HandoverStatus.PROPOSED:
        raise DomainError("This handover is not waiting for your office.")
    source = handover.office
    # Cases opened since the offer, of the same people, go with them.
    case_ids, subject_ids = personal_data.case_selector().close_over(source, handover.case_ids)
    moving = rows_to_move(source, case_ids, subject_ids)
    counts = move_rows(source, office, moving)
    handover.case_ids, handover.subject_ids, handover.counts = case_ids, subject_ids, counts
    handover.status, handover.decided_by, handover.decided_at = HandoverStatus.COMPLETED, actor, timezone.now()
    handover.save()
    fields = sorted(counts)
    audit_record(verb="security.handover.sent", office=source, actor=actor, obj=handover, fields=fields)
    audit_record(verb="security.handover.received", office=office, actor=actor, obj=handover, fields=fields)
    return handover


@transaction.atomic
def handover_decline(*, handover: Handover, office: Office, actor: User) -> Handover:
    handover = _lock(handover)
    if handover.target_office_id != office.pk or handover.status != HandoverStatus.PROPOSED:
        raise DomainError("This handover is not waiting for your office.")
    handover.status, handover.decided_by, handover.decided_at = HandoverStatus.DECLINED, actor, timezone.now()
    handover.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(verb="security.handover.declined", office=office, actor=actor, obj=handover)
    audit_record(verb="security.handover.declined", office=handover.office, actor=actor, obj=handover)
    return handover


@transaction.atomic
def handover_cancel(*, handover: Handover, actor: User) -> Handover:
    handover = _lock(handover)
    if handover.status not in (HandoverStatus.PROPOSED, HandoverStatus.EXPORTED):
        raise DomainError("Only a handover not yet completed can be cancelled.")
    handover.status = HandoverStatus.CANCELLED
    if handover.export_file:
        name = handover.export_file.name
        transaction.on_commit(lambda: default_storage.delete(name))
        handover.export_file = ""
    handover.save(update_fields=["status", "export_file"])
    audit_record(verb="security.handover.cancelled", office=handover.office, actor=actor, obj=handover)
    if handover.target_office_id:
        audit_record(verb="security.handover.cancelled", office=handover.target_office, actor=actor, obj=handover)
    return handover


# --- Exporting, then purging ------------------------------------------------------------------------
def handover_export(*, office: Office, actor: User, wards: list[str], references: list[str]) -> Handover:
    """Write the chosen cases, their people and correspondence in the office export format, for
    a successor outside this deployment. Nothing is removed until the purge."""
    plan = handover_plan(office=office, wards=wards, references=references)
    if not plan.case_ids:
        raise DomainError("No cases match: choose wards or give case references.")
    moving = rows_to_move(office, plan.case_ids, plan.subject_ids)
    tables = [(model, model._base_manager.filter(pk__in=pks)) for model, pks in moving.items()]
    handover = Handover.objects.create(
        office=office,
        mode=HandoverMode.EXPORT_PURGE,
        case_ids=plan.case_ids,
        subject_ids=plan.subject_ids,
        status=HandoverStatus.EXPORTED,
        proposed_by=actor,
    )
    with tempfile.TemporaryFile() as scratch:
        result = office_export.write_export(
            scratch, office=office, tables=tables, generated_at=timezone.now(), title="Handover export"
        )
        scratch.seek(0)
        handover.export_file.save(f"{secrets.token_hex(8)}.zip", File(scratch), save=False)
    Handover.objects.for_office(office).filter(pk=handover.pk).update(
        export_file=handover.export_file.name, counts=result.rows
    )
    audit_record(
        verb="security.handover.exported", office=office, actor=actor, obj=handover, fields=sorted(result.rows)
    )
    handover.refresh_from_db()
    return handover


@transaction.atomic
def handover_download_record(*, handover: Handover, actor: User) -> None:
    audit_record(verb="security.handover.downloaded", office=handover.office, actor=actor, obj=handover)


@transaction.atomic
def handover_purge(*, handover: Handover, actor: User) -> Handover:
    """After the export was downloaded: every person of the set is erased (open cases closed)."""
    handover = _lock(handover)
    if handover.mode != HandoverMode.EXPORT_PURGE or handover.status != HandoverStatus.EXPORTED:
        raise DomainError("Only an exported handover can be purged.")
    if not AuditEvent.objects.filter(
        office=handover.office, verb="security.handover.downloaded", object_id=str(handover.pk)
    ).exists():
        raise DomainError("Download the export before purging: the purge cannot be undone.")
    for subject_id in handover.subject_ids:
        if collect.subject_get(handover.office, subject_id) is not None:
            erasure.subject_erase(
                office=handover.office,
                subject_id=subject_id,
                actor=actor,
                reason=ErasureReason.HANDOVER,
                confirm_settle=True,
            )
    name = handover.export_file.name
    transaction.on_commit(lambda: default_storage.delete(name))
    handover.export_file = ""
    handover.status, handover.decided_by, handover.decided_at = HandoverStatus.COMPLETED, actor, timezone.now()
    handover.save()
    audit_record(verb="security.handover.purged", office=handover.office, actor=actor, obj=handover)
    return handover


def handovers_for(office: Office) -> tuple[models.QuerySet[Handover], models.QuerySet[Handover]]:
    """(this office's handovers, those offered to it), newest first."""
    outgoing = Handover.objects.for_office(office).select_related("target_office", "proposed_by", "decided_by")
    incoming = Handover.unscoped.filter(target_office=office).select_related("office", "proposed_by", "decided_by")
    return outgoing.order_by("-proposed_at", "-id"), incoming.order_by("-proposed_at", "-id")


def handover_for_office_or_none(office: Office, handover_id: int) -> Handover | None:
    """Its own handover, or one offered to it: the only two offices that may see it."""
    return (
        Handover.unscoped.filter(pk=handover_id)
        .filter(models.Q(office=office) | models.Q(target_office=office))
        .select_related("office", "target_office")
        .first()
    )
