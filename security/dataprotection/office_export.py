"""The office export: everything one office holds, in a documented open format.

A zip of JSON Lines, one file per table (``data/<app>.<model>.jsonl``, one object per row, keys
are column names, foreign keys as ``<name>_id``), the stored files under ``files/`` at their
storage names, ``schema.json`` describing every table and column, and a ``README.md`` saying
how to read it. Written row by row into a temporary file and copied into storage in chunks.
Secrets (token hashes, the mailbox password, password hashes) are never written. Also used, with
a chosen set of rows, for a handover's "export, then purge".
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from mpoffice.lib.encryption import encrypted_columns
from security.audit import audit_record
from security.dataprotection.export import COPY_CHUNK, plain
from security.dataprotection.models import ExportStatus, OfficeExport
from security.errors import DomainError
from security.models import Office, User

logger = logging.getLogger(__name__)
FORMAT = "mpoffice-office-export/1"
SECRET_FIELDS = frozenset({"token_hash", "secret_encrypted", "password"})
# Operational rows that describe the export machinery, not the office's data.
SKIPPED = frozenset({"security.pendingcleanup", "security.officeexport"})


def _office_field(model: type[models.Model]) -> models.Field | None:
    return next((f for f in model._meta.concrete_fields if f.name == "office" and f.is_relation), None)


def office_owned_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if _office_field(m) is not None and m._meta.label_lower not in SKIPPED]


def dependent_models() -> list[tuple[type[models.Model], str]]:
    """Tables without an office of their own whose rows belong to an office-owned row (the
    through table of a case's tags): (model, the foreign key that leads to the office)."""
    owned = set(office_owned_models())
    found = []
    for model in apps.get_models():
        if _office_field(model) is not None or model in owned:
            continue
        key = next(
            (f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model in owned),
            None,
        )
        if key is not None and model._meta.app_label in {"casework", "constituents", "correspondence", "campaigns"}:
            found.append((model, key))
    return found


def office_tables(office: Office) -> list[tuple[type[models.Model], models.QuerySet[Any]]]:
    """Every table of the office, with the rows that are the office's."""
    tables: list[tuple[type[models.Model], models.QuerySet[Any]]] = [
        (Office, Office.objects.filter(pk=office.pk)),
        (User, User.objects.filter(Q(memberships__office=office)).distinct()),
    ]
    for model in office_owned_models():
        tables.append((model, model._base_manager.filter(office=office)))
    for model, key in dependent_models():
        tables.append((model, model._base_manager.filter(**{f"{key}__office": office})))
    return tables


def _secret_columns(model: type[models.Model]) -> set[str]:
    """Hashes by name, and every column registered as encrypted (mailbox and SMTP secrets)."""
    encrypted = {name for registered, names in encrypted_columns() if registered is model for name in names}
    return SECRET_FIELDS | encrypted


def _columns(model: type[models.Model]) -> list[models.Field]:
    # Search vectors are derived from the other columns; a secret is never written.
    secret = _secret_columns(model)
    return [f for f in model._meta.concrete_fields if f.name not in secret and not isinstance(f, SearchVectorField)]


def _value(field: models.Field, row: models.Model) -> Any:
    value = getattr(row, field.attname)
    if isinstance(field, models.BinaryField) and value is not None:
        return base64.b64encode(bytes(value)).decode()
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return plain(value)


def _schema_of(model: type[models.Model], columns: list[models.Field]) -> dict[str, Any]:
    described = {}
    for field in columns:
        entry: dict[str, Any] = {"type": field.get_internal_type(), "null": field.null}
        if field.verbose_name:
            entry["label"] = str(field.verbose_name)
        if field.help_text:
            entry["help"] = str(field.help_text)
        if field.choices:
            entry["choices"] = {str(k): str(v) for k, v in field.flatchoices}
        if field.is_relation:
            entry["references"] = field.related_model._meta.label_lower
        if isinstance(field, models.BinaryField):
            entry["encoding"] = "base64"
        if isinstance(field, models.FileField):
            entry["file"] = "the stored name; the file is in files/ under this name"
        described[field.attname] = entry
    return {"description": str(model._meta.verbose_name_plural), "columns": described}


@dataclass
class ExportResult:
    rows: dict[str, int]
    files: int


def write_export(
    target: IO[bytes],
    *,
    office: Office,
    tables: Iterable[tuple[type[models.Model], models.QuerySet[Any]]],
    generated_at: dt.datetime,
    title: str,
) -> ExportResult:
    result = ExportResult(rows={}, files=0)
    schema: dict[str, Any] = {"format": FORMAT, "generated_at": generated_at.isoformat(), "tables": {}}
    with zipfile_writer(target) as archive:
        for model, rows in tables:
            label = model._meta.label_lower
            columns = _columns(model)
            file_fields = [f for f in columns if isinstance(f, models.FileField)]
            count = 0
            stored_names = []
            with archive.open(f"data/{label}.jsonl", "w") as out:
                for row in rows.order_by("pk").iterator(chunk_size=1000):
                    line = {f.attname: _value(f, row) for f in columns}
                    out.write((json.dumps(line, ensure_ascii=False) + "\n").encode())
                    count += 1
                    stored_names += [getattr(row, f.attname).name for f in file_fields if getattr(row, f.attname)]
            # A zip takes one writer at a time: the table first, then its files (names only in memory).
            for name in stored_names:
                if default_storage.exists(name):
                    with default_storage.open(name, "rb") as src, archive.open(f"files/{name}", "w") as dst:
                        shutil.copyfileobj(src, dst, COPY_CHUNK)
                    result.files += 1
            result.rows[label] = count
            schema["tables"][label] = {"file": f"data/{label}.jsonl", "rows": count, **_schema_of(model, columns)}
        archive.writestr("schema.json", json.dumps(schema, indent=1, ensure_ascii=False))
        archive.writestr("README.md", _readme(office, title, generated_at, result))
    return result


def zipfile_writer(target: IO[bytes]) -> zipfile.ZipFile:
    return zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)


def _readme(office: Office, title: str, generated_at: dt.datetime, result: ExportResult) -> str:
    tables = "\n".join(f"- `data/{label}.jsonl`: {n} rows" for label, n in result.rows.items())
    return f"""# {title}

Office: {office.name} (MP: {office.mp_name}, {office.constituency})
Written: {generated_at:%Y-%m-%d %H:%M %Z}
Format: `{FORMAT}`

This archive holds personal and special category data. Keep it encrypted and delete it once it
has been imported elsewhere.

## How it is laid out

- `data/<app>.<table>.jsonl` — one table per file, in JSON Lines: one JSON object per line, one
  line per row, UTF-8. Keys are the column names; a foreign key is written as `<name>_id` and
  holds the `id` of a row in the table named by `schema.json` (`references`).
- `files/…` — every stored file (documents, attachments, letter scans), at the path given in
  the row's file column.
- `schema.json` — every table: its file, row count, and each column's type, whether it may be
  empty, its label and help text, the allowed values of a choice, and what a key references.
  Binary columns (the raw emails as received) are base64; dates and times are ISO 8601 in UTC.

Secrets (password hashes, API token hashes, mailbox and SMTP passwords and tokens) are never
exported.

## Tables

{tables}

Files: {result.files}.
"""


# --- The office export, requested by a manager and written by a worker -------------------------------
@transaction.atomic
def office_export_request(*, office: Office, actor: User) -> OfficeExport:
    if OfficeExport.objects.for_office(office).filter(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]).exists():
        raise DomainError("An export is already being written.")
    export = OfficeExport.objects.create(office=office, requested_by=actor)
    audit_record(verb="security.office_export.requested", office=office, actor=actor, obj=export)
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from security import tasks

    try:
        tasks.office_export_run.delay(export_id)
    except Exception:  # noqa: BLE001 - the broker is down: the beat sweep writes it later
        logger.warning("Could not enqueue office export %s; the sweep will write it.", export_id)


def _claim(export_id: int) -> bool:
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.OFFICE_EXPORT_LEASE_SECONDS)
    claimable = Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, claimed_at__lt=now - lease)
    return bool(
        OfficeExport.unscoped.filter(claimable, pk=export_id).update(status=ExportStatus.RUNNING, claimed_at=now)
    )


def office_export_run(export_id: int) -> OfficeExport | None:
    """Write one requested export (the worker's task). None when another worker has it."""
    if not _claim(export_id):
        return None
    export = OfficeExport.unscoped.select_related("office").get(pk=export_id)
    office = export.office
    try:
        with tempfile.TemporaryFile() as scratch:
            now = timezone.now()
            write_export(scratch, office=office, tables=office_tables(office), generated_at=now, title="Office export")
            size = scratch.tell()
            scratch.seek(0)
            name = default_storage.save(
                f"offices/{office.pk}/exports/office/{export.pk}-{secrets.token_hex(8)}.zip", File(scratch)
            )
    except Exception as error:
        logger.exception("Office export %s failed", export_id)
        OfficeExport.unscoped.filter(pk=export_id).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    with transaction.atomic():
        OfficeExport.unscoped.filter(pk=export_id).update(
            status=ExportStatus.READY, file=name, size=size, finished_at=timezone.now()
        )
        audit_record(verb="security.office_export.written", office=office, obj=export)
    export.refresh_from_db()
    return export


def office_exports_sweep() -> int:
    """Beat: write exports whose task was lost; delete files of exports past their keeping time."""
    written = 0
    stale = timezone.now() - dt.timedelta(seconds=settings.OFFICE_EXPORT_LEASE_SECONDS)
    waiting = OfficeExport.unscoped.filter(
        Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, claimed_at__lt=stale)
    )
    for export_id in list(waiting.values_list("pk", flat=True)):
        try:
            written += office_export_run(export_id) is not None
        except Exception:  # noqa: BLE001 - recorded on the row; the next export goes on
            logger.warning("Office export %s failed in the sweep.", export_id)
    expired = timezone.now() - dt.timedelta(days=settings.OFFICE_EXPORT_KEEP_DAYS)
    for export in OfficeExport.unscoped.filter(finished_at__lt=expired).exclude(file=""):
        discard_file(export)
    return written


def discard_file(export: OfficeExport) -> None:
    """Delete an export's file now (after its keeping time, or an erasure)."""
    with transaction.atomic():
        if export.file:
            name = export.file.name
            OfficeExport.unscoped.filter(pk=export.pk).update(file="", status=ExportStatus.EXPIRED)
            transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def office_export_download_record(*, export: OfficeExport, actor: User) -> None:
    audit_record(verb="security.office_export.downloaded", office=export.office, actor=actor, obj=export)


def exports_discard(office: Office, subject_id: int) -> None:
    """Erasure hook: an export written before may hold the erased person, so its file goes."""
    for export in OfficeExport.objects.for_office(office).exclude(file=""):
        discard_file(export)
