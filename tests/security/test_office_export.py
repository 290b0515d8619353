"""The full office export: every table of the office as JSON Lines, its files, a schema and a
README; written by a worker, swept when its task is lost, downloaded after a fresh code."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import time
import zipfile

import pytest
import time_machine
from django.urls import reverse

from security import tasks
from security.dataprotection import erasure, office_export
from security.dataprotection.models import ExportStatus, OfficeExport
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import AuditEvent
from tests.security import dataprotection_seed as seed
from tests.walk import casework as walk_casework
from tests.walk import constituents as walk_constituents
from tests.walk import correspondence as walk_correspondence
from tests.walk import security as walk_security

SENTINEL = "OTHER-OFFICE-SENTINEL"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def run_at_once(monkeypatch):
    monkeypatch.setattr(tasks.office_export_run, "delay", tasks.office_export_run)
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)


def _archive(export: OfficeExport) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _rows(archive: zipfile.ZipFile, label: str) -> list[dict]:
    return [json.loads(line) for line in archive.read(f"data/{label}.jsonl").decode().splitlines()]


def _last_lines(archive: zipfile.ZipFile):
    for name in archive.namelist():
        if name.startswith("data/"):
            lines = archive.read(name).decode().splitlines()
            if lines:
                yield name.removeprefix("data/").removesuffix(".jsonl"), lines[-1]


def _world(office, other_office, manager):
    rows: dict = {}
    for module in (walk_security, walk_constituents, walk_casework, walk_correspondence):
        module.build(office, "Mine", rows)
    others: dict = {}
    for module in (walk_security, walk_constituents, walk_casework, walk_correspondence):
        module.build(other_office, SENTINEL, others)
    OfficeExport.unscoped.update(status=ExportStatus.FAILED)  # the walk's rows include a waiting export
    return rows


def test_it_holds_every_table_of_the_office_and_nothing_of_another(
    office, other_office, manager, django_capture_on_commit_callbacks
):
    _world(office, other_office, manager)
    seeded = seed.seed_person(office, manager)
    with django_capture_on_commit_callbacks(execute=True):
        requested = office_export.office_export_request(office=office, actor=manager)
    export = OfficeExport.objects.for_office(office).get(pk=requested.pk)
    assert export.status == ExportStatus.READY
    written = {label: json.loads(line)["id"] for label, line in _last_lines(_archive(export))}

    def _last_pk(model):  # rows written after the export (its own audit event) are not in it
        return written.get(model._meta.label_lower, 0)

    archive = _archive(export)
    names = archive.namelist()
    everything = b"".join(archive.read(name) for name in names)
    assert SENTINEL.encode() not in everything
    schema = json.loads(archive.read("schema.json"))
    for model in office_export.office_owned_models():
        label = model._meta.label_lower
        assert f"data/{label}.jsonl" in names, label
        expected = model._base_manager.filter(office=office, pk__lte=_last_pk(model)).count()
        assert schema["tables"][label]["rows"] == expected, label
    assert schema["tables"]["casework.taggedcase"]["rows"] >= 1  # the tags of cases, through their table
    assert schema["tables"]["casework.case"]["columns"]["constituent_id"]["references"] == "constituents.constituent"
    assert "README.md" in names
    # Secrets never leave: token hashes, the mailbox password, password hashes.
    for secret in (b"token_hash", b"_encrypted", b"pbkdf2", b"md5$"):
        assert secret not in everything
    assert all("password" not in user for user in _rows(archive, "security.user"))
    # The raw email is there as base64, byte for byte.
    raw = next(r for r in _rows(archive, "correspondence.rawemail") if r["id"] == seeded.raw.pk)
    assert base64.b64decode(raw["raw"]) == bytes(seeded.raw.raw)
    document = _rows(archive, "casework.casedocument")[-1]
    assert f"files/{document['file']}" in names
    assert AuditEvent.objects.filter(verb="security.office_export.written", office=office).exists()


def test_only_one_export_is_written_at_a_time_and_a_worker_claims_it(office, manager):
    requested = office_export.office_export_request(office=office, actor=manager)  # not run: no commit
    with pytest.raises(DomainError, match="already being written"):
        office_export.office_export_request(office=office, actor=manager)
    assert office_export.office_export_run(requested.pk).status == ExportStatus.READY
    assert office_export.office_export_run(requested.pk) is None  # done: nothing to claim


def test_the_sweep_writes_lost_exports_and_deletes_old_files(office, manager, settings):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        requested = office_export.office_export_request(office=office, actor=manager)
        assert office_export.office_exports_sweep() == 1
    requested.refresh_from_db()
    name = requested.file.name
    assert requested.file.storage.exists(name)
    with time_machine.travel(start + dt.timedelta(days=settings.OFFICE_EXPORT_KEEP_DAYS + 1), tick=False):
        office_export.office_exports_sweep()
    requested.refresh_from_db()
    assert requested.status == ExportStatus.EXPIRED
    assert not requested.file


def test_an_erasure_deletes_earlier_exports(office, manager, django_capture_on_commit_callbacks):
    seeded = seed.seed_person(office, manager)
    export = office_export.office_export_run(office_export.office_export_request(office=office, actor=manager).pk)
    name = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)
    export.refresh_from_db()
    assert not export.file
    assert not export.file.storage.exists(name)


def test_the_pages(office, manager, manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_client.post(reverse("security:office_exports")).status_code == 302
    export = OfficeExport.objects.for_office(office).get()
    page = manager_client.get(reverse("security:office_exports")).content.decode()
    assert reverse("security:office_export_download", args=[export.pk]) in page
    url = reverse("security:office_export_download", args=[export.pk])
    session = manager_client.session
    session[SESSION_OTP_AT] = 0
    session.save()
    assert manager_client.get(url).url.startswith(reverse("security:otp_confirm"))
    session = manager_client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()
    response = manager_client.get(url)
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    assert AuditEvent.objects.filter(verb="security.office_export.downloaded", object_id=str(export.pk)).exists()


def test_the_list_takes_a_fixed_number_of_queries(office, manager, manager_client, django_assert_max_num_queries):
    for _ in range(10):
        OfficeExport.objects.create(office=office, requested_by=manager, status=ExportStatus.FAILED, error="x")
    with django_assert_max_num_queries(10):
        page = manager_client.get(reverse("security:office_exports")).content.decode()
    assert page.count("Failed") == 10


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_are_refused(role_client, request, office, manager):
    client = request.getfixturevalue(role_client)
    export = OfficeExport.objects.create(office=office, requested_by=manager)
    assert client.get(reverse("security:office_exports")).status_code == 403
    assert client.post(reverse("security:office_exports")).status_code == 403
    assert client.get(reverse("security:office_export_download", args=[export.pk])).status_code == 403
    assert OfficeExport.objects.for_office(office).count() == 1
