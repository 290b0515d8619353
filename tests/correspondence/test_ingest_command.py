"""manage.py ingest_email: .eml files, folders of them (recursively) and mbox files."""

from __future__ import annotations

import mailbox
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from correspondence.models import Message, ParseState, RawEmail
from tests.correspondence.conftest import CORPUS, EXPECTED, email


def run(*args: str) -> str:
    out = StringIO()
    call_command("ingest_email", *args, stdout=out)
    return out.getvalue().strip()


def test_it_ingests_a_folder_recursively_and_counts(office, tmp_path):
    folder = tmp_path / "mail"
    (folder / "deeper").mkdir(parents=True)
    names = ["plain-ascii.eml", "latin1.eml", "malformed-no-headers.eml", "malformed-empty.eml"]
    for name in names[:2]:
        shutil.copy(CORPUS / name, folder / name)
    for name in names[2:]:
        shutil.copy(CORPUS / name, folder / "deeper" / name)
    (folder / "notes.txt").write_text("not mail")
    assert run("--office", office.slug, str(folder)) == "stored: 4, duplicate: 0, quarantined: 2, oversize: 0"
    assert Message.objects.for_office(office).count() == 2
    assert run("--office", office.slug, str(folder)) == "stored: 0, duplicate: 4, quarantined: 0, oversize: 0"


def test_it_ingests_an_mbox(office, tmp_path, settings):
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(path)
    box.add(email(message_id="<a@example.org>", subject="First"))
    box.add(email(message_id="<b@example.org>", subject="Second"))
    box.add(email(message_id="<c@example.org>", subject="Big", body="x" * 3000))
    box.flush()
    box.close()
    settings.INBOUND_MAX_BYTES = 2048
    assert run("--office", office.slug, str(path)) == "stored: 3, duplicate: 0, quarantined: 0, oversize: 1"
    subjects = set(Message.objects.for_office(office).values_list("subject", flat=True))
    assert subjects == {"First", "Second", "Big"}
    assert RawEmail.objects.for_office(office).filter(parse_state=ParseState.OVERSIZE).count() == 1


def test_it_ingests_the_whole_corpus(office):
    output = run("--office", office.slug, str(CORPUS))
    stored = int(output.split(",")[0].split(": ")[1])
    assert stored == len(list(CORPUS.glob("*.eml")))
    assert Message.objects.for_office(office).count() >= len(EXPECTED)


def test_an_unknown_office_or_path_is_an_error(office, tmp_path):
    with pytest.raises(CommandError, match="slug"):
        run("--office", "nope", str(tmp_path))
    with pytest.raises(CommandError, match="Not found"):
        run("--office", office.slug, str(tmp_path / "missing.eml"))
