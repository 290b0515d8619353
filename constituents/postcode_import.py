"""Importing the office's postcode → ward table from the ONS Postcode Directory (ONSPD) CSV.

The ONSPD has one row per postcode with, among many columns, ``pcds`` (the postcode with its
space), ``osward`` (the electoral ward's code), ``pcon`` (the Westminster constituency's code)
and ``doterm`` (the date a postcode was terminated; empty while it is live). Ward names come
from the ONS "Ward names and codes" CSV, whose columns are named for the year (``WD24CD``,
``WD24NM``). Offices import an area extract (~100k rows), so the file is streamed and written
in batches; importing again updates the table in place.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from constituents.models import Constituent, InConstituency, PostcodeWard, Ward
from constituents.validation import normalise_postcode
from security.audit import audit_record
from security.models import Office

REQUIRED_COLUMNS = ("pcds", "osward", "pcon")
# ONS pseudo-codes meaning "no ward" (e.g. E99999999 for Channel Islands or non-geographic postcodes).
_NO_WARD = re.compile(r"^[A-Z]9{8}$")
CONSTITUENCY_CODE = re.compile(r"^[ENSW]\d{8}$")


class ImportFileError(ValueError):
    """The file is not in the expected layout; the message says what is missing."""


@dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    terminated: int = 0
    outside_constituency: int = 0
    wards_created: int = 0
    wards_renamed: int = 0
    constituents_placed: int = 0
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)

    def bad_row(self, line: int, reason: str) -> None:
        self.bad += 1
        if len(self.bad_examples) < 10:
            self.bad_examples.append(f"line {line}: {reason}")


def read_ward_names(path: Path) -> dict[str, str]:
    """Code -> name from an ONS ward names CSV, whatever year its columns are named for."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        headers = {name.strip().upper(): name for name in reader.fieldnames or []}
        years = sorted(
            (match.group(1) for name in headers if (match := re.fullmatch(r"WD(\d{2})CD", name))),
            reverse=True,
        )
        year = next((y for y in years if f"WD{y}NM" in headers), None)
        if year is None:
            raise ImportFileError(
                f"{path.name} has no ward code and name columns (like WD24CD and WD24NM). "
                f"Its columns are: {', '.join(list(headers)[:12])}."
            )
        code_column, name_column = headers[f"WD{year}CD"], headers[f"WD{year}NM"]
        return {
            row[code_column].strip(): row[name_column].strip()[:120]
            for row in reader
            if (row.get(code_column) or "").strip() and (row.get(name_column) or "").strip()
        }


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        present = {name.strip().lower() for name in reader.fieldnames or []}
        missing = [name for name in REQUIRED_COLUMNS if name not in present]
        if missing:
            raise ImportFileError(
                f"{path.name} is not in the ONS Postcode Directory layout: it has no {', '.join(missing)} column."
            )
        for row in reader:
            # A short row leaves its missing columns as None: _parse counts it as bad.
            yield (
                reader.line_num,
                {k.strip().lower(): v.strip() if v is not None else None for k, v in row.items() if k},
            )


class _Wards:
    """The office's wards by code, created as the file names them."""

    def __init__(self, office: Office, names: dict[str, str], result: ImportResult) -> None:
        self.office, self.names, self.result = office, names, result
        self.by_code = {ward.code: ward for ward in Ward.objects.for_office(office)}
        for code, ward in self.by_code.items():
            if names.get(code) and names[code] != ward.name:
                ward.name = names[code]
                ward.save(update_fields=["name"])
                result.wards_renamed += 1

    def id_for(self, code: str) -> int:
        ward = self.by_code.get(code)
        if ward is None:
            ward = Ward.objects.create(office=self.office, code=code, name=self.names.get(code, code))
            self.by_code[code] = ward
            self.result.wards_created += 1
        return ward.pk


def _parse(line: int, row: dict[str, str | None], result: ImportResult) -> tuple[str, str] | None:
    """(postcode, ward code), or None for a row that is skipped (and counted)."""
    if any(row.get(column) is None for column in REQUIRED_COLUMNS):
        result.bad_row(line, "too few columns")
        return None
    if row.get("doterm"):
        result.terminated += 1
        return None
    ward_code = row["osward"] or ""
    if not ward_code or _NO_WARD.match(ward_code):
        result.bad_row(line, "no ward code")
        return None
    if len(ward_code) > 12:
        result.bad_row(line, f"“{ward_code[:20]}” is not a ward code")
        return None
    try:
        return normalise_postcode(row["pcds"] or ""), ward_code
    except ValidationError as error:
        result.bad_row(line, error.messages[0])
        return None


@transaction.atomic
def _write_batch(office: Office, batch: dict[str, tuple[int, bool]], result: ImportResult) -> None:
    existing = {row.postcode: row for row in PostcodeWard.objects.for_office(office).filter(postcode__in=batch)}
    changed = []
    for postcode, (ward_id, inside) in batch.items():
        row = existing.get(postcode)
        if row is None:
            continue
        if (row.ward_id, row.in_constituency) == (ward_id, inside):
            result.unchanged += 1
            continue
        row.ward_id, row.in_constituency = ward_id, inside
        changed.append(row)
    PostcodeWard.unscoped.bulk_update(changed, ["ward", "in_constituency"])
    result.updated += len(changed)
    new = [
        PostcodeWard(office=office, postcode=postcode, ward_id=ward_id, in_constituency=inside)
        for postcode, (ward_id, inside) in batch.items()
        if postcode not in existing
    ]
    PostcodeWard.unscoped.bulk_create(new)
    result.created += len(new)


def _batches(
    constituency: str, rows: Iterable[tuple[int, dict[str, str | None]]], wards: _Wards, size: int
) -> Iterator[dict[str, tuple[int, bool]]]:
    result = wards.result
    batch: dict[str, tuple[int, bool]] = {}
    for line, row in rows:
        result.read += 1
        parsed = _parse(line, row, result)
        if parsed is None:
            continue
        postcode, ward_code = parsed
        inside = row.get("pcon", "") == constituency
        result.outside_constituency += not inside
        batch[postcode] = (wards.id_for(ward_code), inside)
        if len(batch) >= size:
            yield batch
            batch = {}
    if batch:
        yield batch


@transaction.atomic
def _place_constituents(office: Office) -> int:
    """Give existing constituents the ward (and in-constituency answer) of their postcode."""
    known = PostcodeWard.objects.for_office(office)
    ward_of_postcode = Subquery(known.filter(postcode=OuterRef("postcode")).values("ward_id")[:1])
    constituents = Constituent.objects.for_office(office).filter(postcode__in=known.values("postcode"))
    placed = constituents.exclude(ward_id=ward_of_postcode).update(ward_id=ward_of_postcode)
    for inside, answer in ((True, InConstituency.YES), (False, InConstituency.NO)):
        matching = constituents.filter(postcode__in=known.filter(in_constituency=inside).values("postcode"))
        matching.exclude(in_constituency=answer).update(in_constituency=answer)
    return placed


def import_postcodes(
    *,
    office: Office,
    constituency: str,
    path: Path,
    ward_names_path: Path | None = None,
    batch_size: int = 2000,
) -> ImportResult:
    """Stream the ONSPD file into the office's postcode table. Safe to run again."""
    if not CONSTITUENCY_CODE.match(constituency):
        raise ImportFileError(f"“{constituency}” is not a constituency code: they look like E14001234.")
    result = ImportResult()
    names = read_ward_names(ward_names_path) if ward_names_path else {}
    wards = _Wards(office, names, result)
    for batch in _batches(constituency, _rows(path), wards, batch_size):
        _write_batch(office, batch, result)
    result.constituents_placed = _place_constituents(office)
    audit_record(
        verb="constituents.postcodes.imported",
        office=office,
        object_type="constituents.postcodeward",
        fields=["postcode", "ward", "in_constituency"],
    )
    return result
