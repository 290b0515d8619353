"""Import constituents and cases from a CSV or Excel file exported by another casework system.

Upload, map the file's columns to our fields (guessed from the header names), check, import. A
check runs every row through the same code as the import, inside a transaction that is then
rolled back, and lists every row's errors. The import runs them again in one transaction and
commits only if no row failed: a file with a bad row imports nothing. People are matched to
existing records by email address, so a second file adds cases rather than duplicates. Tags
must already be in the office's vocabulary: an import never creates one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework import search_index
from casework.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CloseReason,
    EventKind,
    ImportJob,
    ImportStatus,
    Tag,
)
from casework.services import _next_reference, response_due
from constituents import services as constituent_services
from constituents.models import Constituent, ConstituentEmail
from constituents.validation import normalise_email
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_ERRORS_KEPT = 1000


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    guesses: tuple[str, ...]
    required: bool = False


TARGETS = (
    Target("title", "Title", ("title", "salutation", "honorific")),
    Target("first_name", "First name", ("firstname", "forename", "forenames", "givenname", "first")),
    Target("last_name", "Last name", ("lastname", "surname", "familyname", "last"), required=True),
    Target("email", "Email address", ("email", "emailaddress", "mail")),
    Target("phone", "Phone number", ("phone", "telephone", "tel", "mobile", "phonenumber", "telephonenumber")),
    Target("address_line1", "Address line 1", ("address", "address1", "addressline1", "street")),
    Target("address_line2", "Address line 2", ("address2", "addressline2")),
    Target("town", "Town", ("town", "city", "posttown")),
    Target("postcode", "Postcode", ("postcode", "postalcode", "zip", "zipcode")),
    Target("date_of_birth", "Date of birth", ("dateofbirth", "dob", "birthdate")),
    Target("notes", "Notes about the person", ("notes", "contactnotes")),
    Target("summary", "Case summary (a case is opened for rows that have one)", ("summary", "casesummary", "subject")),
    Target("description", "Case description", ("description", "details", "casedetails")),
    Target("status", "Case status (open or closed)", ("status", "casestatus", "state")),
    Target("opened_on", "Date the case opened", ("opened", "dateopened", "opendate", "opened_on", "created")),
    Target("closed_on", "Date the case closed", ("closed", "dateclosed", "closedate", "closed_on")),
    Target(
        "their_reference", "Reference in the old system", ("reference", "ref", "caseref", "caseid", "casereference")
    ),
    Target("tags", "Tags (separated by ; )", ("tags", "tag", "categories", "category", "issues")),
)
TARGET_KEYS = {t.key for t in TARGETS}
CASE_KEYS = ("summary", "description", "status", "opened_on", "closed_on", "their_reference", "tags")
OPEN_WORDS = {"open", "new", "active", "ongoing", "inprogress", "pending", "awaiting"}
CLOSED_WORDS = {"closed", "resolved", "complete", "completed", "done", "finished"}


# --- Reading the file ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise DomainError("The file is not text in a known encoding.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield [cell.strip() for cell in row]
    except csv.Error as error:
        raise DomainError(f"The CSV file cannot be read: {error}.") from None


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise DomainError(f"The Excel file cannot be read ({type(error).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_text(cell) for cell in row]
    finally:
        workbook.close()


def read_rows(kind: str, data: bytes) -> Iterator[list[str]]:
    """Every non-empty row of the file (header first), as text."""
    rows = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    for row in rows:
        if any(cell for cell in row):
            yield row


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(columns: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    normal = [_normal(c) for c in columns]
    for target in TARGETS:
        for guess in target.guesses:
            if _normal(guess) in normal:
                index = normal.index(_normal(guess))
                if index not in mapping.values():
                    mapping[target.key] = index
                    break
    return mapping


@transaction.atomic
def import_upload(*, office: Office, actor: User, upload: UploadedFile) -> ImportJob:
    """Keep the file (under the office's path) and read its header row; nothing is imported."""
    name = upload.name or "import"
    kind = "xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else "csv" if name.lower().endswith(".csv") else ""
    if not kind:
        raise DomainError("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
    if upload.size is None or upload.size > MAX_BYTES:
        raise DomainError(f"The file is too large; the limit is {MAX_BYTES // (1024 * 1024)} MB.")
    data = upload.read()
    rows = read_rows(kind, data)
    header = next(rows, None)
    if not header or not any(header):
        raise DomainError("The file is empty: the first row should name the columns.")
    if len(header) > MAX_COLUMNS:
        raise DomainError(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read.")
    count = sum(1 for _ in rows)
    if count == 0:
        raise DomainError("The file has a header row but no rows of data.")
    if count > MAX_ROWS:
        raise DomainError(f"The file has {count} rows; import at most {MAX_ROWS} at a time.")
    columns = [h or f"Column {n + 1}" for n, h in enumerate(header)]
    job = ImportJob(
        office=office,
        original_name=name[-255:],
        kind=kind,
        columns=columns,
        row_count=count,
        mapping=guess_mapping(columns),
        created_by=actor,
    )
    job.file.save(f"{secrets.token_hex(12)}.{kind}", ContentFile(data), save=False)
    job.save()
    audit_record(verb="casework.import.uploaded", office=office, actor=actor, obj=job, fields=["file"])
    return job


# --- One row -------------------------------------------------------------------------------------------
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def _date(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    value = value.split(" ")[0].split("T")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise DomainError(f"{label}: “{value[:30]}” is not a date (use 31/12/2024 or 2024-12-31).")


def _status(value: str, closed_on: dt.date | None) -> str:
    word = _normal(value)
    if not word:
        return CaseStatus.CLOSED if closed_on else CaseStatus.OPEN
    if word in CLOSED_WORDS:
        return CaseStatus.CLOSED
    if word in OPEN_WORDS:
        return CaseStatus.OPEN
    raise DomainError(f"Status: “{value[:30]}” is neither open nor closed.")


def _tags(office: Office, value: str) -> list[Tag]:
    names = [n.strip() for n in re.split(r"[;|]", value) if n.strip()]
    active = list(Tag.objects.for_office(office).filter(is_active=True))
    found, unknown = [], []
    for name in names:
        folded = name.casefold()
        tag = next(
            (t for t in active if t.name.casefold() == folded or folded in {s.casefold() for s in t.synonyms}), None
        )
        (found.append(tag) if tag else unknown.append(name))
    if unknown:
        raise DomainError(
            "Tags not in the office's vocabulary: " + ", ".join(f"“{n[:40]}”" for n in unknown) + " (add them first)."
        )
    return list(dict.fromkeys(found))


def _person(office: Office, actor: User, values: dict[str, str]) -> tuple[Constituent, bool]:
    email = values.get("email", "")
    if email:
        try:
            email = normalise_email(email)
        except ValidationError as error:
            raise DomainError(error.messages[0]) from None
        existing = ConstituentEmail.objects.for_office(office).filter(email=email).select_related("constituent")
        match = existing.first()
        if match is not None:
            return match.constituent, False
    if not values.get("last_name"):
        raise DomainError("Last name: every row needs one.")
    person = constituent_services.constituent_create(
        office=office,
        actor=actor,
        title=values.get("title", "")[:20],
        first_name=values.get("first_name", "")[:100],
        last_name=values["last_name"][:100],
        address_line1=values.get("address_line1", "")[:200],
        address_line2=values.get("address_line2", "")[:200],
        town=values.get("town", "")[:100],
        postcode=values.get("postcode", ""),
        date_of_birth=_date(values.get("date_of_birth", ""), "Date of birth"),
        notes=values.get("notes", ""),
        email=email,
        phone=values.get("phone", ""),
    )
    return person, True


def _case(office: Office, actor: User, person: Constituent, values: dict[str, str]) -> Case:
    summary = values["summary"]
    if len(summary) > 200:
        raise DomainError("Case summary: keep it under 200 characters.")
    opened_on = _date(values.get("opened_on", ""), "Date opened") or timezone.localdate()
    closed_on = _date(values.get("closed_on", ""), "Date closed")
    status = _status(values.get("status", ""), closed_on)
    if closed_on and closed_on < opened_on:
        raise DomainError("Date closed is before the date opened.")
    if status == CaseStatus.CLOSED and closed_on is None:
        closed_on = opened_on
    tags = _tags(office, values.get("tags", ""))
    description = values.get("description", "")
    if values.get("their_reference"):
        description = f"{description}\n\nReference in the previous system: {values['their_reference']}".strip()
    opened_at = timezone.make_aware(dt.datetime.combine(opened_on, dt.time(9)))
    ward = person.ward
    case = Case.objects.create(
        office=office,
        reference=_next_reference(office, opened_on.year),
        constituent=person,
        summary=summary,
        description=description,
        status=status,
        close_reason=CloseReason.RESOLVED if status == CaseStatus.CLOSED else "",
        opened_by=actor,
        opened_at=opened_at,
        closed_at=timezone.make_aware(dt.datetime.combine(closed_on, dt.time(17))) if closed_on else None,
        ward_code=ward.code if ward else "",
        ward_name=ward.name if ward else "",
        response_due_on=response_due(office, opened_on) if status != CaseStatus.CLOSED else None,
    )
    if tags:
        case.tags.set(tags)
    CaseEvent.objects.create(office=office, case=case, kind=EventKind.OPENED, actor=actor, data={"imported": True})
    audit_record(verb="casework.case.imported", office=office, actor=actor, obj=case)
    return case


# --- The check and the import --------------------------------------------------------------------------
@dataclass
class Report:
    errors: list[dict[str, Any]]
    error_count: int
    people: int = 0
    matched: int = 0
    cases: int = 0


def _values(row: list[str], mapping: dict[str, int]) -> dict[str, str]:
    # A NUL cannot be stored in PostgreSQL text, and is never meant.
    return {key: (row[index] if index < len(row) else "").replace("\x00", "").strip() for key, index in mapping.items()}


def _run(job: ImportJob, actor: User, *, commit: bool) -> Report:
    data = job.file.open("rb").read()
    job.file.close()
    rows = read_rows(job.kind, data)
    next(rows, None)  # the header
    report = Report(errors=[], error_count=0)
    created_cases: list[int] = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):  # as the spreadsheet numbers them
            values = _values(row, job.mapping)
            try:
                with transaction.atomic():
                    person, new = _person(job.office, actor, values)
                    case = _case(job.office, actor, person, values) if values.get("summary") else None
                    if case is None and any(values.get(key) for key in CASE_KEYS):
                        raise DomainError("Case summary: a row with case details needs one.")
            except DomainError as error:
                report.error_count += 1
                if len(report.errors) < MAX_ERRORS_KEPT:
                    report.errors.append({"row": number, "messages": [str(error)]})
                continue
            report.people += new
            report.matched += not new
            if case is not None:
                created_cases.append(case.pk)
                report.cases += 1
        if created_cases:
            search_index.refresh_cases(created_cases)
        if report.error_count or not commit:
            transaction.set_rollback(True)  # a check, or a bad row: nothing stays
    return report


def import_map(*, job: ImportJob, actor: User, mapping: dict[str, int]) -> ImportJob:
    if job.status in (ImportStatus.IMPORTED, ImportStatus.DISCARDED):
        raise DomainError("This import is finished.")
    unknown = set(mapping) - TARGET_KEYS
    if unknown or any(not 0 <= index < len(job.columns) for index in mapping.values()):
        raise DomainError("Choose columns of the file.")
    if "last_name" not in mapping and "email" not in mapping:
        raise DomainError("Choose the column with the last name (or the email of people already held).")
    if len(set(mapping.values())) != len(mapping):
        raise DomainError("Each column can fill one field only.")
    ImportJob.objects.for_office(job.office).filter(pk=job.pk).update(mapping=mapping)
    job.mapping = mapping
    return job


def import_check(*, job: ImportJob, actor: User) -> ImportJob:
    """The dry run: every row through the import, rolled back; every row's errors listed."""
    report = _run(job, actor, commit=False)
    _record(job, report, status=ImportStatus.CHECKED, checked_at=timezone.now())
    audit_record(verb="casework.import.checked", office=job.office, actor=actor, obj=job)
    return job


def import_commit(*, job: ImportJob, actor: User) -> ImportJob:
    """Import every row in one transaction, or none: any bad row leaves the office unchanged."""
    if job.status != ImportStatus.CHECKED:
        raise DomainError("Check the file first.")
    report = _run(job, actor, commit=True)
    if report.error_count:
        _record(job, report, status=ImportStatus.CHECKED, checked_at=timezone.now())
        raise DomainError(f"Nothing was imported: {report.error_count} rows have errors.")
    name = job.file.name
    with transaction.atomic():
        _record(job, report, status=ImportStatus.IMPORTED, imported_at=timezone.now(), file="")
        audit_record(verb="casework.import.imported", office=job.office, actor=actor, obj=job, fields=["counts"])
        transaction.on_commit(lambda: default_storage.delete(name))  # its rows now live in the tables
    return job


def _record(job: ImportJob, report: Report, **changes: Any) -> None:
    counts = {"people": report.people, "matched": report.matched, "cases": report.cases}
    ImportJob.objects.for_office(job.office).filter(pk=job.pk).update(
        errors=report.errors, error_count=report.error_count, counts=counts, **changes
    )
    job.refresh_from_db()


@transaction.atomic
def import_discard(*, job: ImportJob, actor: User | None) -> None:
    if job.file:
        name = job.file.name
        transaction.on_commit(lambda: default_storage.delete(name))
    ImportJob.objects.for_office(job.office).filter(pk=job.pk).update(
        status=ImportStatus.DISCARDED, file="", errors=[], error_count=0
    )
    audit_record(verb="casework.import.discarded", office=job.office, actor=actor, obj=job)


def imports_discard_unfinished(office: Office, subject_id: int) -> None:
    """Erasure hook: a file not yet imported may hold the erased person, so it goes."""
    for job in ImportJob.objects.for_office(office).filter(~Q(file="")).exclude(status=ImportStatus.IMPORTED):
        import_discard(job=job, actor=None)
