"""Writes for cases, their timeline and the tag vocabulary. The only write path."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from casework import search_index
from casework.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    CaseworkSettings,
    CloseReason,
    EventKind,
    ParticipantRole,
    ReferenceCounter,
    Tag,
    TagCategory,
    TaggedCase,
)
from casework.vocabulary_install import install_vocabulary
from constituents.models import Constituent
from mpoffice.lib.workingdays import add_working_days, working_days_between
from security.audit import audit_record
from security.errors import DomainError
from security.models import Membership, Office, User
from security.scoping import ensure_same_office


class ConflictError(DomainError):
    """Someone else changed the case since this form was loaded."""


# Fields a caseworker edits on the case form; everything else changes through its own verb.
EDITABLE_FIELDS = (
    "summary",
    "description",
    "priority",
    "restricted",
    "lawful_basis",
    "consent_how",
    "consent_at",
    "may_contact_third_parties",
)
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.AWAITING_CONSTITUENT)


def settings_for(office: Office) -> CaseworkSettings:
    found, _ = CaseworkSettings.unscoped.get_or_create(office=office)
    return found


def office_initialise(office: Office) -> None:
    """Every new office starts with settings and the default vocabulary."""
    settings_for(office)
    install_vocabulary(office.pk, TagCategory, Tag)


# --- Cases -------------------------------------------------------------------------------------
def _next_reference(office: Office, year: int) -> str:
    """'2026/0142': the counter row is locked, so two cases never share a number."""
    ReferenceCounter.unscoped.get_or_create(office=office, year=year)
    counter = ReferenceCounter.unscoped.select_for_update().get(office=office, year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"{year}/{counter.last_number:04d}"


def _event(case: Case, *, kind: str, actor: User | None, note: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(office=case.office, case=case, kind=kind, actor=actor, note=note, data=data)


def _check_member(office: Office, user: User | None) -> None:
    if user is not None and not Membership.objects.filter(office=office, user=user, is_active=True).exists():
        raise DomainError("The assignee must be an active member of this office.")


def _check_tags(office: Office, tags: Iterable[Tag]) -> list[Tag]:
    tags = list(tags)
    for tag in tags:
        if not isinstance(tag, Tag):
            raise DomainError(f"Tags must be chosen from the vocabulary, not typed: {tag!r}.")
        ensure_same_office(office, tag)
        if not tag.is_active:
            raise DomainError(f"The tag “{tag.name}” is retired; choose another.")
    return tags


def response_due(office: Office, start: dt.date) -> dt.date:
    return add_working_days(start, settings_for(office).reply_within, office.nation)


@transaction.atomic
def case_open(
    *,
    office: Office,
    constituent: Constituent,
    opened_by: User,
    summary: str,
    description: str = "",
    priority: str = "normal",
    assignee: User | None = None,
    restricted: bool = False,
    lawful_basis: str = "elected_representative",
    consent_how: str = "",
    consent_at: dt.datetime | None = None,
    may_contact_third_parties: bool = True,
    tags: Iterable[Tag] = (),
) -> Case:
    """Open a case for a constituent of this office; the response clock starts now."""
    ensure_same_office(office, constituent)
    _check_member(office, assignee)
    tags = _check_tags(office, tags)
    now = timezone.now()
    ward = constituent.ward
    case = Case.objects.create(
        office=office,
        reference=_next_reference(office, timezone.localdate(now).year),
        constituent=constituent,
        summary=summary,
        description=description,
        priority=priority,
        assignee=assignee,
        opened_by=opened_by,
        opened_at=now,
        restricted=restricted,
        lawful_basis=lawful_basis,
        consent_how=consent_how,
        consent_at=consent_at,
        may_contact_third_parties=may_contact_third_parties,
        status=CaseStatus.OPEN if assignee else CaseStatus.NEW,
        ward_code=ward.code if ward else "",
        ward_name=ward.name if ward else "",
        response_due_on=response_due(office, timezone.localdate(now)),
    )
    if tags:
        case.tags.set(tags)
    _event(case, kind=EventKind.OPENED, actor=opened_by, tags=[t.name for t in tags])
    audit_record(verb="casework.case.opened", office=office, actor=opened_by, obj=case)
    search_index.refresh_cases([case.pk])
    return case


def _save_versioned(case: Case, *, expected_version: int, fields: Iterable[str]) -> None:
    """Write ``fields`` only if nobody else saved the case meanwhile."""
    values = {name: getattr(case, name) for name in fields}
    updated = (
        Case.objects.for_office(case.office)
        .filter(pk=case.pk, version=expected_version)
        .update(**values, version=F("version") + 1, updated_at=timezone.now())
    )
    if not updated:
        latest = Case.unscoped.filter(pk=case.pk).values("version", "updated_at").first() or {}
        when = timezone.localtime(latest["updated_at"]).strftime("%H:%M") if latest else "just now"
        raise ConflictError(
            f"Someone else changed this case at {when}, after you opened it. Your changes were not saved: "
            "reload the case, check what changed, and make your change again."
        )
    case.version = expected_version + 1


@transaction.atomic
def case_update(*, case: Case, actor: User, version: int, **changes: Any) -> Case:
    """Edit the case's details. ``version`` is the one the editor saw; a stale edit is refused."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These cannot be edited here: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, changes[name])
    _save_versioned(case, expected_version=version, fields=changed)
    if changed:
        _event(case, kind=EventKind.EDITED, actor=actor, fields=changed)
        audit_record(verb="casework.case.edited", office=case.office, actor=actor, obj=case, fields=changed)
        search_index.refresh_cases([case.pk])
    return case


@transaction.atomic
def case_assign(*, case: Case, actor: User, assignee: User | None, version: int | None = None) -> Case:
    _check_member(case.office, assignee)
    if case.assignee_id == (assignee.pk if assignee else None):
        return case
    case.assignee = assignee
    fields = ["assignee"]
    if assignee is not None and case.status == CaseStatus.NEW:
        case.status = CaseStatus.OPEN
        fields.append("status")
    _save_versioned(case, expected_version=case.version if version is None else version, fields=fields)
    _event(case, kind=EventKind.ASSIGNED, actor=actor, to=assignee.get_full_name() if assignee else "")
    audit_record(verb="casework.case.assigned", office=case.office, actor=actor, obj=case, fields=["assignee"])
    return case


def _pause_clock(case: Case, now: dt.datetime) -> None:
    if case.response_paused_at is None:
        case.response_paused_at = now


def _resume_clock(case: Case, now: dt.datetime) -> None:
    """Push the due date back by the working days the clock was paused."""
    if case.response_paused_at is None:
        return
    nation = case.office.nation
    paused_days = working_days_between(timezone.localdate(case.response_paused_at), timezone.localdate(now), nation)
    if case.response_due_on is not None and paused_days:
        case.response_due_on = add_working_days(case.response_due_on, paused_days, nation)
    case.response_paused_at = None


@transaction.atomic
def case_set_status(
    *, case: Case, actor: User | None, status: str, close_reason: str = "", version: int | None = None
) -> Case:
    """Move a case through its statuses; the office's clock pauses while a third party is awaited."""
    if status not in CaseStatus.values:
        raise DomainError("Choose a status.")
    if status == CaseStatus.CLOSED and close_reason not in CloseReason.values:
        raise DomainError("Choose why the case is being closed.")
    if status == case.status:
        return case
    now = timezone.now()
    previous = case.status
    case.status = status
    case.close_reason = close_reason if status == CaseStatus.CLOSED else ""
    case.closed_at = now if status == CaseStatus.CLOSED else None
    if status == CaseStatus.AWAITING_THIRD_PARTY:
        _pause_clock(case, now)
    else:
        _resume_clock(case, now)
    fields = ["status", "close_reason", "closed_at", "response_paused_at", "response_due_on"]
    _save_versioned(case, expected_version=case.version if version is None else version, fields=fields)
    _event(case, kind=EventKind.STATUS, actor=actor, **{"from": previous, "to": status, "reason": case.close_reason})
    audit_record(verb="casework.case.status_changed", office=case.office, actor=actor, obj=case, fields=["status"])
    return case


def case_close(*, case: Case, actor: User, reason: str, version: int | None = None) -> Case:
    return case_set_status(case=case, actor=actor, status=CaseStatus.CLOSED, close_reason=reason, version=version)


def case_reopen(*, case: Case, actor: User) -> Case:
    if not case.is_closed:
        raise DomainError("The case is not closed.")
    return case_set_status(case=case, actor=actor, status=CaseStatus.OPEN)


@transaction.atomic
def case_record_response(*, case: Case, at: dt.datetime | None = None) -> Case:
    """The office replied to the constituent: the first reply is kept for the dashboard."""
    if case.first_response_at is None:
        Case.objects.for_office(case.office).filter(pk=case.pk, first_response_at__isnull=True).update(
            first_response_at=at or timezone.now()
        )
        case.refresh_from_db(fields=["first_response_at"])
    return case


@transaction.atomic
def case_constituent_wrote(*, case: Case) -> Case:
    """A new message from the constituent restarts the office's response clock from today."""
    today = timezone.localdate()
    Case.objects.for_office(case.office).filter(pk=case.pk).update(response_due_on=response_due(case.office, today))
    case.refresh_from_db(fields=["response_due_on"])
    return case


@transaction.atomic
def case_add_note(*, case: Case, actor: User, text: str) -> CaseEvent:
    text = text.strip()
    if not text:
        raise DomainError("Write the note first.")
    event = _event(case, kind=EventKind.NOTE, actor=actor, note=text)
    audit_record(verb="casework.case.note_added", office=case.office, actor=actor, obj=case, fields=["note"])
    search_index.refresh_cases([case.pk])
    return event


@transaction.atomic
def case_set_tags(*, case: Case, actor: User, tags: Iterable[Tag]) -> Case:
    """Replace the case's tags with ``tags`` (Tag objects of this office's active vocabulary)."""
    wanted = _check_tags(case.office, tags)
    current = set(case.tags.all())
    added, removed = set(wanted) - current, current - set(wanted)
    if not added and not removed:
        return case
    case.tags.set(wanted)
    _event(
        case,
        kind=EventKind.TAGGED,
        actor=actor,
        added=sorted(t.name for t in added),
        removed=sorted(t.name for t in removed),
    )
    audit_record(verb="casework.case.tagged", office=case.office, actor=actor, obj=case, fields=["tags"])
    return case


MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def case_add_document(*, case: Case, actor: User, upload: UploadedFile, content_type: str) -> CaseDocument:
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DomainError(f"The file is {upload.size // (1024 * 1024)} MB; the limit is 20 MB.")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = CaseDocument(
        office=case.office,
        case=case,
        name=(upload.name or "document")[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document.file.save(upload.name or "document", upload, save=False)
    document.save()
    _event(case, kind=EventKind.DOCUMENT, actor=actor, document=document.pk)
    audit_record(verb="casework.document.added", office=case.office, actor=actor, obj=document)
    return document


# --- Tag vocabulary ----------------------------------------------------------------------------
def _unique_tag_name(office: Office, name: str, exclude: Tag | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the tag a name.")
    clash = Tag.objects.for_office(office).filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise DomainError(f"There is already a tag called “{name}”.")
    return name


@transaction.atomic
def tag_create(
    *,
    office: Office,
    actor: User,
    name: str,
    category: TagCategory,
    description: str = "",
    synonyms: Iterable[str] = (),
) -> Tag:
    ensure_same_office(office, category)
    name = _unique_tag_name(office, name)
    tag = Tag.objects.create(
        office=office,
        name=name,
        slug=_free_slug(office, name),
        category=category,
        description=description,
        synonyms=[s.strip() for s in synonyms if s.strip()],
    )
    audit_record(verb="casework.tag.created", office=office, actor=actor, obj=tag)
    return tag


def _free_slug(office: Office, name: str, exclude: Tag | None = None) -> str:
    base = slugify(name) or "tag"
    slug, n = base, 1
    others = Tag.objects.for_office(office).exclude(pk=exclude.pk if exclude else None)
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def tag_update(
    *, tag: Tag, actor: User, name: str, category: TagCategory, description: str, synonyms: Iterable[str]
) -> Tag:
    ensure_same_office(tag.office, category)
    name = _unique_tag_name(tag.office, name, exclude=tag)
    changed = [
        field
        for field, value in (("name", name), ("category", category), ("description", description))
        if getattr(tag, field) != value
    ]
    tag.name, tag.category, tag.description = name, category, description
    tag.synonyms = [s.strip() for s in synonyms if s.strip()]
    if "name" in changed:
        tag.slug = _free_slug(tag.office, name, exclude=tag)
    tag.save()
    audit_record(verb="casework.tag.updated", office=tag.office, actor=actor, obj=tag, fields=[*changed, "synonyms"])
    return tag


@transaction.atomic
def tag_set_active(*, tag: Tag, actor: User, active: bool) -> Tag:
    """Retire a tag (it stays on old cases and in reports, but cannot be chosen) or bring it back."""
    tag.is_active = active
    tag.save(update_fields=["is_active"])
    audit_record(
        verb="casework.tag.reactivated" if active else "casework.tag.retired", office=tag.office, actor=actor, obj=tag
    )
    return tag


@transaction.atomic
def tag_merge(*, source: Tag, target: Tag, actor: User) -> int:
    """Re-tag every case tagged ``source`` with ``target``, then delete ``source``. Returns cases moved."""
    ensure_same_office(source.office, target)
    if source.pk == target.pk:
        raise DomainError("Choose two different tags to merge.")
    links = TaggedCase.objects.filter(tag=source)
    already = set(TaggedCase.objects.filter(tag=target).values_list("content_object_id", flat=True))
    moved = links.exclude(content_object_id__in=already).update(tag=target)
    links.delete()
    target.synonyms = sorted({*target.synonyms, source.name, *source.synonyms} - {target.name})
    target.save(update_fields=["synonyms"])
    audit_record(
        verb="casework.tag.merged", office=source.office, actor=actor, obj=target, object_id=f"{source.pk}->{target.pk}"
    )
    source.delete()
    return moved


@transaction.atomic
def category_create(*, office: Office, actor: User, name: str, description: str = "") -> TagCategory:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the category a name.")
    if TagCategory.objects.for_office(office).filter(name__iexact=name).exists():
        raise DomainError(f"There is already a category called “{name}”.")
    position = TagCategory.objects.for_office(office).count()
    category = TagCategory.objects.create(office=office, name=name, description=description, position=position)
    audit_record(verb="casework.tag_category.created", office=office, actor=actor, obj=category)
    return category


@transaction.atomic
def case_add_participant(
    *, case: Case, actor: User, role: str, constituent: Constituent | None = None, representative: Any = None
) -> CaseParticipant:
    """Record another person involved: a constituent on record, or someone acting for the constituent."""
    if (constituent is None) == (representative is None):
        raise DomainError("Choose one person: a constituent or someone acting for them.")
    if role not in ParticipantRole.values:
        raise DomainError("Choose how they are involved.")
    ensure_same_office(case.office, constituent, representative)
    if constituent is not None and constituent.pk == case.constituent_id:
        raise DomainError("They are already the case's constituent.")
    existing = CaseParticipant.objects.for_office(case.office).filter(
        case=case, constituent=constituent, representative=representative
    )
    if existing.exists():
        raise DomainError("They are already recorded on this case.")
    participant = CaseParticipant.objects.create(
        office=case.office, case=case, constituent=constituent, representative=representative, role=role
    )
    person = constituent or representative
    _event(case, kind=EventKind.PARTICIPANT, actor=actor, name=str(person), role=participant.get_role_display())
    audit_record(
        verb="casework.case.participant_added", office=case.office, actor=actor, obj=case, fields=["participants"]
    )
    return participant


@transaction.atomic
def case_remove_participant(*, participant: CaseParticipant, actor: User) -> None:
    case = participant.case
    participant.delete()
    audit_record(
        verb="casework.case.participant_removed", office=case.office, actor=actor, obj=case, fields=["participants"]
    )


@transaction.atomic
def case_change(*, case: Case, actor: User | None, values: dict[str, Any]) -> Case:
    """Several changes at once (the API's PATCH), all or nothing.

    ``case_update`` checks ``values["version"]`` first, under its conditional UPDATE; the verbs
    after it build on the version it wrote.
    """
    edits = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    case_update(case=case, actor=actor, version=values["version"], **edits)
    if "status" in values:
        case_set_status(case=case, actor=actor, status=values["status"])
    if "assignee" in values:
        case_assign(case=case, actor=actor, assignee=values["assignee"])
    if "tags" in values:
        case_set_tags(case=case, actor=actor, tags=values["tags"])
    return case
