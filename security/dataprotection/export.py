"""The subject access export: a zip with a readable ``index.html``, a ``data.json`` copy and the
person's files, written row by row into a file so that nothing is held whole in memory."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.html import escape

from security.dataprotection.collect import Found, item_key
from security.models import AuditEvent, Office

REDACTED = "[redacted]"
COPY_CHUNK = 1024 * 1024
# Shown with a row's personal fields, where the model has them, so each row reads in context.
CONTEXT_FIELDS = (
    "reference",
    "kind",
    "channel",
    "direction",
    "status",
    "opened_at",
    "closed_at",
    "received_at",
    "sent_at",
    "created_at",
)


class Redactor:
    """Replaces each of the reviewer's terms (other people's names), in any case, in every text."""

    def __init__(self, terms: Iterable[str]) -> None:
        cleaned = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(t) for t in cleaned), re.IGNORECASE) if cleaned else None

    def __call__(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(REDACTED, value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value


def plain(value: Any) -> Any:
    """A JSON-ready copy of a field's value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


@dataclass
class ExportSummary:
    rows: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)
    files: int = 0
    audit_entries: int = 0


@dataclass
class SarExport:
    office: Office
    subject_label: str
    received_on: dt.date
    found: list[Found]
    audit: models.QuerySet[AuditEvent]
    withheld: set[str]
    redactor: Redactor
    generated_at: dt.datetime
    about: list[tuple[str, str]] = field(default_factory=list)
    _files: dict[tuple[str, str], str] = field(default_factory=dict)

    def write(self, target: IO[bytes]) -> ExportSummary:
        summary = ExportSummary()
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            self._write_files(archive, summary)
            with archive.open("data.json", "w") as raw:
                self._write_json(raw, summary)
            with archive.open("index.html", "w") as raw:
                self._write_html(raw)
        return summary

    # --- rows -------------------------------------------------------------------------------
    def _rows(self, item: Found) -> Iterable[tuple[models.Model, dict[str, Any]]]:
        for row in item.rows().iterator(chunk_size=200):
            if item_key(row) in self.withheld:
                continue
            values = {name: plain(getattr(row, name)) for name in _context_fields(item.entry.model)}
            for name, value in item.entry.export_row(row).items():
                if isinstance(value, FieldFile):
                    value = self._files.get((item_key(row), name), "")
                values[name] = self.redactor(plain(value))
            yield row, values

    def _write_files(self, archive: zipfile.ZipFile, summary: ExportSummary) -> None:
        for item in self.found:
            names = item.entry.file_fields
            withheld = sum(1 for pk in item.pks if f"{item.label}:{pk}" in self.withheld)
            if withheld:
                summary.withheld[item.label] = withheld
            if not names:
                continue
            for row in item.rows().iterator(chunk_size=200):
                if item_key(row) in self.withheld:
                    continue
                for name in names:
                    stored = getattr(row, name)
                    if not stored or not stored.name or not default_storage.exists(stored.name):
                        continue
                    shown = self.redactor(str(getattr(row, "name", "") or stored.name.rsplit("/", 1)[-1]))
                    safe = re.sub(r"[^\w.\- \[\]]+", "_", shown).strip(". ") or "file"
                    arcname = f"files/{item.label}/{row.pk}/{safe[:100]}"
                    with default_storage.open(stored.name, "rb") as source, archive.open(arcname, "w") as copy:
                        shutil.copyfileobj(source, copy, COPY_CHUNK)
                    self._files[(item_key(row), name)] = arcname
                    summary.files += 1

    def _write_json(self, raw: IO[bytes], summary: ExportSummary) -> None:
        def put(text: str) -> None:
            raw.write(text.encode())

        head = {
            "format": "mpoffice-subject-access/1",
            "controller": self.office.mp_name,
            "office": self.office.name,
            "generated_at": self.generated_at.isoformat(),
            "request_received_on": self.received_on.isoformat(),
        }
        put(json.dumps(head, indent=1)[:-2] + ',\n "tables": {')
        for n, item in enumerate(self.found):
            put(("," if n else "") + f"\n  {json.dumps(item.label)}: [")
            count = 0
            for row, values in self._rows(item):
                put(("," if count else "") + "\n   " + json.dumps({"id": row.pk, **values}, ensure_ascii=False))
                count += 1
            summary.rows[item.label] = count
            put("\n  ]")
        put('\n },\n "withheld": ' + json.dumps(summary.withheld) + ',\n "audit": [')
        for n, event in enumerate(self.audit.iterator(chunk_size=500)):
            put(("," if n else "") + "\n  " + json.dumps(self._audit_row(event), ensure_ascii=False))
            summary.audit_entries += 1
        put("\n ]\n}\n")

    def _audit_row(self, event: AuditEvent) -> dict[str, Any]:
        return {
            "at": event.created_at.isoformat(),
            "by": self.redactor(event.actor.full_name) if event.actor else event.get_actor_kind_display(),
            "action": event.verb,
            "record": f"{event.object_type}:{event.object_id}",
            "fields": event.fields,
        }

    # --- the readable copy --------------------------------------------------------------------
    def _write_html(self, raw: IO[bytes]) -> None:
        def put(text: str) -> None:
            raw.write(text.encode())

        office = escape(self.office.name)
        put(
            '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Your personal data held by {office}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>Your personal data held by {office}</h1>\n"
            f"<p>Prepared on {self.generated_at:%-d %B %Y} in answer to your subject access request received on "
            f"{self.received_on:%-d %B %Y}, for {escape(self.subject_label)}. The controller is "
            f"{escape(self.office.mp_name)}. Everything below is also in <code>data.json</code> in this folder, "
            "and your documents and attachments are in <code>files/</code>.</p>\n"
        )
        if self.about:
            put('<section aria-labelledby="about"><h2 id="about">About this data</h2>\n<dl>\n')
            for term, text in self.about:
                put(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>\n")
            put("</dl></section>\n")
        put('<nav aria-label="Contents"><h2>Contents</h2><ul>\n')
        for item in self.found:
            put(f'<li><a href="#{escape(item.label)}">{escape(item.title)}</a></li>\n')
        put('<li><a href="#audit">Who has seen or changed your records</a></li>\n</ul></nav>\n')
        for item in self.found:
            self._html_table(put, item)
        self._html_audit(put)
        put("</body>\n</html>\n")

    def _html_table(self, put: Any, item: Found) -> None:
        anchor = escape(item.label)
        put(f'<section aria-labelledby="{anchor}">\n<h2 id="{anchor}">{escape(item.title)}</h2>\n')
        meta = item.entry.model._meta
        count = 0
        for row, values in self._rows(item):
            count += 1
            put(f"<table>\n<caption>{escape(str(meta.verbose_name).capitalize())} {row.pk}</caption>\n")
            for name, value in values.items():
                cell = _cell(value, name, item)
                put(f'<tr><th scope="row">{escape(_label(meta, name))}</th><td>{cell}</td></tr>\n')
            put("</table>\n")
        withheld = len(item.pks) - count
        if withheld:
            put(f"<p>{withheld} item{'s' if withheld != 1 else ''} withheld under an exemption.</p>\n")
        put("</section>\n")

    def _html_audit(self, put: Any) -> None:
        put(
            '<section aria-labelledby="audit"><h2 id="audit">Who has seen or changed your records</h2>\n'
            '<table>\n<thead><tr><th scope="col">When</th><th scope="col">Who</th>'
            '<th scope="col">What</th><th scope="col">Record</th><th scope="col">Fields</th></tr></thead>\n<tbody>\n'
        )
        for event in self.audit.iterator(chunk_size=500):
            entry = self._audit_row(event)
            put(
                f"<tr><td>{escape(event.created_at.strftime('%-d %b %Y %H:%M'))}</td><td>{escape(entry['by'])}</td>"
                f"<td>{escape(entry['action'])}</td><td>{escape(entry['record'])}</td>"
                f"<td>{escape(', '.join(entry['fields']))}</td></tr>\n"
            )
        put("</tbody>\n</table></section>\n")


def _context_fields(model: type[models.Model]) -> list[str]:
    concrete = {f.name for f in model._meta.concrete_fields}
    return [name for name in CONTEXT_FIELDS if name in concrete]


def _label(meta: Any, name: str) -> str:
    try:
        return str(meta.get_field(name).verbose_name).capitalize()
    except Exception:  # noqa: BLE001 - an export key that is not a field (e.g. a derived value)
        return name.replace("_", " ").capitalize()


def _cell(value: Any, name: str, item: Found) -> str:
    if name in item.entry.file_fields:
        return f'<a href="{escape(value)}">{escape(value)}</a>' if value else "(no file)"
    if value in (None, "", [], {}):
        return '<span class="none">—</span>'
    if name in CONTEXT_FIELDS and isinstance(value, str) and "T" in value and value[:4].isdigit():
        return escape(value.replace("T", " ")[:16])
    if isinstance(value, list | dict):
        return f"<pre>{escape(json.dumps(value, indent=1, ensure_ascii=False))}</pre>"
    text = escape(str(value))
    return f'<div class="text">{text}</div>' if "\n" in str(value) else text


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
    "color:#1b1b1b}table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}caption{text-align:left;"
    "font-weight:600;padding:.25rem 0}th,td{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;"
    "text-align:left}th[scope=row]{width:14rem;background:#f3f3f3}.text{white-space:pre-wrap}"
    "pre{white-space:pre-wrap;margin:0}.none{color:#666}#audit td:first-child{white-space:nowrap}"
)
