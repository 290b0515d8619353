"""manage.py ingest_email --office SLUG PATH…: .eml files, folders of them, and mbox files."""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from correspondence import ingest
from correspondence.models import ParseState, RawSource
from security.models import Office

MAIL_SUFFIXES = {".eml", ".mbox", ".mbx", ".msg"}


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, raw bytes) of every message under ``path``."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MAIL_SUFFIXES):
            yield from _messages(child)
    elif _is_mbox(path):
        box = mailbox.mbox(path, create=False)
        try:
            for key in box.iterkeys():
                yield f"{path}#{key}", box.get_bytes(key)
        finally:
            box.close()
    else:
        yield str(path), path.read_bytes()


class Command(BaseCommand):
    help = "Store and parse email from .eml files, folders of them (recursively) and mbox files."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help=".eml files, folders, or mbox files")
        parser.add_argument("--office", required=True, help="The office's slug.")

    def handle(self, *args, **options):
        office = Office.objects.filter(slug=options["office"]).first()
        if office is None:
            raise CommandError(f"No office has the slug {options['office']!r}.")
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"Not found: {', '.join(missing)}")
        counts: Counter[str] = Counter()
        for path in options["paths"]:
            for _where, raw in _messages(path):
                # Stored and parsed here, not by a worker, so the counts below are real: one
                # transaction per message, the parse in a savepoint (a failure keeps the raw).
                result = ingest.ingest_one(office=office, raw=raw, source=RawSource.UPLOAD)
                if not result.created:
                    counts["duplicate"] += 1
                    continue
                counts["stored"] += 1
                counts[result.state] += 1
        self.stdout.write(
            f"stored: {counts['stored']}, duplicate: {counts['duplicate']}, "
            f"quarantined: {counts[ParseState.QUARANTINED]}, oversize: {counts[ParseState.OVERSIZE]}"
        )
