"""Subject access requests: log, extend, review (withhold and redact), generate, download, answer.

The writes; views, commands and tests call these. Each records one audit event, with ids and
field names only.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from security import personal_data
from security.audit import audit_record
from security.dataprotection import collect, dates
from security.dataprotection.export import Redactor, SarExport
from security.dataprotection.models import OPEN_SAR_STATUSES, ReceivedBy, SarStatus, SubjectAccessRequest
from security.errors import DomainError
from security.models import Office, User

DUE_SOON_DAYS = 14
MAX_TERMS = 200
MAX_TERM_LENGTH = 200


def _audit(verb: str, sar: SubjectAccessRequest, actor: User | None, fields: list[str] | None = None) -> None:
    audit_record(verb=f"security.sar.{verb}", office=sar.office, actor=actor, obj=sar, fields=fields or [])


def _lock(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.for_office(sar.office).select_for_update().get(pk=sar.pk)


@transaction.atomic
def sar_log(
    *, office: Office, actor: User, subject_id: int, received_on: dt.date, received_by: str, notes: str = ""
) -> SubjectAccessRequest:
    """Record a request received on ``received_on``; it is due one calendar month later."""
    if collect.subject_get(office, subject_id) is None:
        raise DomainError("Choose the person the request is about.")
    if received_by not in ReceivedBy.values:
        raise DomainError("Say how the request arrived.")
    if received_on > timezone.localdate():
        raise DomainError("The date received cannot be in the future.")
    sar = SubjectAccessRequest.objects.create(
        office=office,
        subject_id=subject_id,
        received_on=received_on,
        received_by=received_by,
        due_on=dates.sar_due(received_on),
        notes=notes.strip(),
        logged_by=actor,
    )
    _audit("logged", sar, actor, ["received_on", "received_by", "notes"] if sar.notes else ["received_on"])
    return sar


@transaction.atomic
def sar_extend(*, sar: SubjectAccessRequest, actor: User, months: int, reason: str) -> SubjectAccessRequest:
    """Extend by up to two further months in all (complex or numerous requests), with the reason."""
    sar = _lock(sar)
    if not sar.is_open:
        raise DomainError("Only an open request can be extended.")
    reason = reason.strip()
    if not reason:
        raise DomainError("Give the reason for the extension: the person must be told it within the first month.")
    total = sar.extended_months + months
    if months < 1 or total > dates.MAX_EXTENSION_MONTHS:
        left = dates.MAX_EXTENSION_MONTHS - sar.extended_months
        raise DomainError(
            f"A request can be extended by at most {dates.MAX_EXTENSION_MONTHS} further months in all"
            + (f"; {left} left." if left else "; it has been already.")
        )
    if timezone.localdate() > sar.due_on:
        raise DomainError("The deadline has passed: an extension has to be made before it.")
    sar.extended_months = total
    sar.extension_reason = f"{sar.extension_reason}\n{reason}".strip()[:500]
    sar.extended_at = timezone.now()
    sar.due_on = dates.sar_due(sar.received_on, total)
    sar.save(update_fields=["extended_months", "extension_reason", "extended_at", "due_on"])
    _audit("extended", sar, actor, ["extended_months", "extension_reason", "due_on"])
    return sar


@dataclass(frozen=True)
class ReviewItem:
    key: str
    description: str


@dataclass(frozen=True)
class ReviewTable:
    label: str
    title: str
    items: list[ReviewItem]


def sar_review_items(*, sar: SubjectAccessRequest) -> tuple[list[ReviewTable], list[str]]:
    """The rows the export would hold, described for the reviewer, and the names of other people
    they mention (offered for redaction)."""
    subject = collect.subject_get(sar.office, sar.subject_id)
    if subject is None:
        return [], []
    own = collect.subject_names(subject)
    tables, names = [], set()
    for item in collect.rows_for_subject(sar.office, subject):
        entry = item.entry
        rows = []
        for row in item.rows().iterator(chunk_size=200):
            rows.append(ReviewItem(key=collect.item_key(row), description=entry.describe_row(row)[:200]))
            if entry.names is not None:
                names.update(n.strip() for n in entry.names(row) if n and n.strip())
        tables.append(ReviewTable(label=item.label, title=item.title, items=rows))
    others = sorted({n for n in names if n.casefold() not in own}, key=str.casefold)
    return tables, others


def _clean_terms(terms: list[str]) -> list[str]:
    cleaned = []
    for term in terms:
        term = " ".join(term.split())
        if len(term) < 2:
            continue
        if len(term) > MAX_TERM_LENGTH:
            raise DomainError(f"Keep each name to redact under {MAX_TERM_LENGTH} characters.")
        if term.casefold() not in {t.casefold() for t in cleaned}:
            cleaned.append(term)
    if len(cleaned) > MAX_TERMS:
        raise DomainError(f"At most {MAX_TERMS} names can be redacted.")
    return cleaned


@transaction.atomic
def sar_review_save(
    *, sar: SubjectAccessRequest, actor: User, withheld: list[str], redact_terms: list[str]
) -> SubjectAccessRequest:
    """Save what to withhold and redact. An export made before is discarded: it must be made again."""
    sar = _lock(sar)
    if not sar.is_open:
        raise DomainError("This request is closed.")
    subject = collect.subject_get(sar.office, sar.subject_id)
    known = set()
    if subject is not None:
        for item in collect.rows_for_subject(sar.office, subject):
            known.update(f"{item.label}:{pk}" for pk in item.pks)
    unknown = [key for key in withheld if key not in known]
    if unknown:
        raise DomainError("Some of the items ticked are not part of this person's data.")
    sar.withheld = sorted(set(withheld))
    sar.redact_terms = _clean_terms(redact_terms)
    sar.reviewed_by = actor
    sar.reviewed_at = timezone.now()
    sar.status = SarStatus.IN_REVIEW
    _discard_export(sar)
    sar.save()
    _audit("reviewed", sar, actor, ["withheld", "redact_terms"])
    return sar


def _discard_export(sar: SubjectAccessRequest) -> None:
    if sar.export_file:
        name = sar.export_file.name
        transaction.on_commit(lambda: default_storage.delete(name))
    sar.export_file = ""
    sar.export_generated_at = None
    sar.export_size = None


def _about(office: Office) -> list[tuple[str, str]]:
    from security.dataprotection import retention  # retention imports the registry's rules

    return [
        (
            "Why we hold it",
            f"To take up the matters you raised with {office.mp_name} as your elected representative, "
            "and to keep a record of that casework.",
        ),
        ("Where it came from", "From you, from people acting for you, and from the organisations we contacted."),
        (
            "Who we shared it with",
            "The organisations named in the correspondence below, to take up your case. Nobody else.",
        ),
        ("How long we keep it", retention.policy_summary(office)),
        (
            "Your rights",
            "You may ask us to correct or erase your data, or to restrict or object to its use. You may complain "
            "to the Information Commissioner's Office (ico.org.uk).",
        ),
    ]


def sar_generate(*, sar: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    """Write the export (after the review) into the office's storage; it may then be downloaded.

    The zip is written to a temporary file row by row and copied into storage in chunks; only
    then is the request updated, in a short transaction.
    """
    if sar.status not in (SarStatus.IN_REVIEW, SarStatus.READY):
        raise DomainError("Review the data first: tick anything to withhold and names to redact.")
    subject = collect.subject_get(sar.office, sar.subject_id)
    if subject is None:
        raise DomainError("The person's record no longer exists.")
    found = collect.rows_for_subject(sar.office, subject)
    export = SarExport(
        office=sar.office,
        subject_label=personal_data.subject().label(subject),
        received_on=sar.received_on,
        found=found,
        audit=collect.audit_about(sar.office, found),
        withheld=set(sar.withheld),
        redactor=Redactor(sar.redact_terms),
        generated_at=timezone.now(),
        about=_about(sar.office),
    )
    with tempfile.TemporaryFile() as scratch:
        summary = export.write(scratch)
        size = scratch.tell()
        scratch.seek(0)
        sar.export_file.save(f"{secrets.token_hex(8)}.zip", File(scratch), save=False)
    name = sar.export_file.name
    with transaction.atomic():
        locked = _lock(sar)
        if locked.status not in (SarStatus.IN_REVIEW, SarStatus.READY) or locked.reviewed_at != sar.reviewed_at:
            transaction.on_commit(lambda: default_storage.delete(name))
            raise DomainError("The review changed while the export was being made: make it again.")
        _discard_export(locked)
        locked.export_file = name
        locked.export_generated_at = export.generated_at
        locked.export_size = size
        locked.status = SarStatus.READY
        locked.save(update_fields=["export_file", "export_generated_at", "export_size", "status"])
        audit_record(
            verb="security.sar.generated",
            office=sar.office,
            actor=actor,
            obj=locked,
            fields=sorted(summary.rows),
        )
    return locked


@transaction.atomic
def sar_download_record(*, sar: SubjectAccessRequest, actor: User) -> None:
    _audit("downloaded", sar, actor, ["export_file"])


@transaction.atomic
def sar_mark_answered(*, sar: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    sar = _lock(sar)
    if sar.status != SarStatus.READY:
        raise DomainError("Generate the export before marking the request answered.")
    sar.status = SarStatus.ANSWERED
    sar.answered_at = timezone.now()
    sar.answered_by = actor
    sar.save(update_fields=["status", "answered_at", "answered_by"])
    _audit("answered", sar, actor, ["status"])
    return sar


@transaction.atomic
def sar_withdraw(*, sar: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    sar = _lock(sar)
    if not sar.is_open:
        raise DomainError("This request is already closed.")
    sar.status = SarStatus.WITHDRAWN
    _discard_export(sar)
    sar.save()
    _audit("withdrawn", sar, actor, ["status"])
    return sar


# --- Reads ---------------------------------------------------------------------------------------
def sars_open(*, office: Office) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.for_office(office).filter(status__in=OPEN_SAR_STATUSES).order_by("due_on", "id")


def sars_due_soon(*, office: Office, today: dt.date | None = None) -> QuerySet[SubjectAccessRequest]:
    """Open requests due within two weeks, or overdue: the manager's list."""
    today = today or timezone.localdate()
    return sars_open(office=office).filter(due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def subjects_by_id(office: Office, ids: list[int]) -> dict[int, object]:
    """The people a page of requests is about, in one query."""
    model = personal_data.subject().model
    return {row.pk: row for row in model._base_manager.filter(office=office, pk__in=set(ids))}


def sar_erase_details(*, sar: SubjectAccessRequest) -> None:
    """For erasure: keep the dates and status (the office's record of answering), drop the text
    and the export. Called inside the erasure's transaction, which deletes the file after it."""
    SubjectAccessRequest.objects.for_office(sar.office).filter(pk=sar.pk).update(
        notes="", extension_reason="", redact_terms=[], withheld=[], export_file="", export_size=None
    )
