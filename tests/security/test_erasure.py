"""Erasure: a person seeded in every channel leaves no trace in a dump of the database or in the
file storage; cases and messages stay as anonymous entries; the audit log keeps its ids."""

from __future__ import annotations

import datetime as dt
import email
import io
import re
import subprocess
import time
import zipfile
from email import policy
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from casework.models import Case, CaseStatus
from constituents import selectors as constituent_selectors
from constituents.models import Constituent, Representative
from correspondence.models import Attachment, Message, RawEmail
from security import tasks
from security.dataprotection import cleanup, erasure
from security.dataprotection import sar as sar_services
from security.dataprotection.cache import office_cache_key, office_cache_purge
from security.dataprotection.models import Erasure, PendingCleanup, SubjectAccessRequest
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import AuditEvent
from tests.factories import ConstituentFactory
from tests.security import dataprotection_seed as seed


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def cleanups_at_once(monkeypatch):
    """The worker woken on commit runs in this process, as a worker would just after."""
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)


def _traces(text: str) -> list[str]:
    folded = text.casefold()
    return [trace for trace in seed.TRACES if trace.casefold() in folded]


def _decoded_forms(data: bytes) -> list[str]:
    """The bytes as text, and, when they are an email, every part decoded (base64, quoted-printable)."""
    forms = [data.decode("utf-8", "replace")]
    if b"\n" in data and b":" in data:
        message = email.message_from_bytes(data, policy=policy.default)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if payload:
                forms.append(payload.decode("utf-8", "replace"))
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            forms.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return forms


def _pg_dump() -> str:
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    return subprocess.run([*command, db["NAME"]], check=True, capture_output=True, text=True).stdout


def _dump_traces(dump: str) -> list[str]:
    found = _traces(dump)
    # bytea columns are dumped as hex: decode them (and any email inside) before searching.
    for hex_value in re.findall(r"\\\\x([0-9a-f]{16,})", dump):
        for form in _decoded_forms(bytes.fromhex(hex_value)):
            found += [f"{trace} (in bytea)" for trace in _traces(form)]
    return found


def _storage_traces(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            for form in _decoded_forms(path.read_bytes()):
                found += [f"{trace} in {path.relative_to(root)}" for trace in _traces(form)]
    return found


@pytest.mark.django_db(transaction=True)
def test_an_erased_person_leaves_no_trace_in_a_database_dump_or_the_file_storage(
    office, manager, media_root, django_capture_on_commit_callbacks
):
    seeded = seed.seed_person(office, manager)
    request = sar_services.sar_review_save(sar=seeded.sar, actor=manager, withheld=[], redact_terms=[])
    sar_services.sar_generate(sar=request, actor=manager)  # her export zip is in storage too
    cache.set(office_cache_key(office.pk, "dashboard"), f"Top constituent: {seed.NAME}")
    dump = _pg_dump()
    # The search works: before, she is everywhere.
    assert {seed.FIRST, seed.LAST, seed.EMAIL, seed.PHONE_DIGITS, seed.POSTCODE} <= set(_traces(dump))
    assert any("in bytea" in trace for trace in _dump_traces(dump))
    assert _storage_traces(media_root)
    audit_before = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        done = erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)

    assert _dump_traces(_pg_dump()) == []
    assert _storage_traces(media_root) == []
    assert not PendingCleanup.objects.for_office(office).exists()  # files deleted, rows gone
    assert cache.get(office_cache_key(office.pk, "dashboard")) is None
    # Figures stay: the person, her case (closed, as withdrawn) and her messages, anonymised.
    case = Case.objects.for_office(office).get(pk=seeded.case.pk)
    assert (case.status, case.close_reason, case.summary) == (CaseStatus.CLOSED, "withdrawn", "Anonymised case")
    assert case.anonymised_at is not None
    assert Message.objects.for_office(office).filter(case=case).count() == 4
    assert not RawEmail.objects.for_office(office).exists()
    assert not Attachment.objects.for_office(office).exists()
    person = Constituent.objects.for_office(office).get(pk=seeded.person.pk)
    assert person.erased_at is not None
    assert SubjectAccessRequest.objects.for_office(office).get(pk=seeded.sar.pk).received_on  # the record stays
    # The audit log keeps every entry (ids and field names) and adds one for the erasure.
    assert AuditEvent.objects.count() > audit_before
    event = AuditEvent.objects.get(verb="security.erasure.performed")
    assert (event.object_type, event.object_id) == ("constituents.constituent", str(seeded.person.pk))
    assert done.settled == 1
    assert done.counts["correspondence.message"] == 5


def test_an_open_case_needs_confirmation_and_is_closed_first(office, manager):
    seeded = seed.seed_person(office, manager)
    with pytest.raises(erasure.ConfirmationNeeded) as refused:
        erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager)
    assert refused.value.reasons == [f"case {seeded.case.reference} (awaiting third party)"]
    assert Case.objects.for_office(office).get(pk=seeded.case.pk).status != CaseStatus.CLOSED
    assert not Erasure.objects.for_office(office).exists()
    erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)
    assert Case.objects.for_office(office).get(pk=seeded.case.pk).status == CaseStatus.CLOSED


def test_someone_elses_case_that_names_her_keeps_its_own_details(office, manager):
    seeded = seed.seed_person(office, manager)
    erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)
    other = Case.objects.for_office(office).get(pk=seeded.other_case.pk)
    assert other.summary == "Noise"
    assert other.anonymised_at is None
    lines = list(other.events.values_list("data", flat=True))
    assert all(seed.LAST not in str(data) for data in lines)
    assert other.participants.count() == 1  # she is still linked, as the anonymous record


def test_search_no_longer_finds_her(office, manager):
    seeded = seed.seed_person(office, manager)
    assert constituent_selectors.constituent_list(office=office, query=seed.LAST).exists()
    erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)
    assert not constituent_selectors.constituent_list(office=office, query=seed.LAST).exists()
    assert not Representative.objects.for_office(office).exists()
    vectors = Case.objects.for_office(office).filter(pk=seeded.case.pk).values_list("search_vector", flat=True)
    assert seed.LAST.casefold() not in str(vectors[0]).casefold()
    assert "anonymis" in str(vectors[0])  # rebuilt from what remains


def test_another_office_is_untouched(office, other_office, manager):
    seeded = seed.seed_person(office, manager)
    theirs = ConstituentFactory(office=other_office, first_name=seed.FIRST, last_name=seed.LAST)
    cache.set(office_cache_key(other_office.pk, "dashboard"), "kept")
    with pytest.raises(DomainError, match="not held by this office"):
        erasure.subject_erase(office=other_office, subject_id=seeded.person.pk, actor=manager)
    erasure.subject_erase(office=office, subject_id=seeded.person.pk, actor=manager, confirm_settle=True)
    office_cache_purge(office.pk)
    theirs.refresh_from_db()
    assert theirs.last_name == seed.LAST
    assert cache.get(office_cache_key(other_office.pk, "dashboard")) == "kept"
    cache.delete(office_cache_key(other_office.pk, "dashboard"))


def test_the_cache_purge_removes_only_the_offices_keys(office, other_office):
    cache.set_many({office_cache_key(office.pk, "a"): 1, office_cache_key(office.pk, "b", 2): 2})
    cache.set(office_cache_key(other_office.pk, "a"), 3)
    assert office_cache_purge(office.pk) == 2
    assert cache.get(office_cache_key(other_office.pk, "a")) == 3
    cache.delete(office_cache_key(other_office.pk, "a"))


# --- The clean-up queue -----------------------------------------------------------------------------
def test_a_failing_cleanup_is_retried_with_back_off_then_done(office, monkeypatch):
    calls = []

    def flaky(office_, payload):
        calls.append(payload["n"])
        if len(calls) == 1:
            raise ConnectionError("server down")

    cleanup.register_handler("test.flaky", flaky)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        row = PendingCleanup.objects.create(office=office, kind="test.flaky", payload={"n": 1})
        assert cleanup.cleanups_run() == 0
        row.refresh_from_db()
        assert (row.attempts, row.last_error) == (1, "ConnectionError: server down")
        assert row.next_attempt_at == start + dt.timedelta(minutes=2)
        assert cleanup.cleanups_run() == 0  # not due yet
    with time_machine.travel(start + dt.timedelta(minutes=3), tick=False):
        assert cleanup.cleanups_run() == 1
    assert calls == [1, 1]
    assert not PendingCleanup.objects.for_office(office).exists()


def test_a_storage_cleanup_never_leaves_its_offices_path(office, other_office):
    row = PendingCleanup.objects.create(
        office=office, kind=cleanup.STORAGE_DELETE, payload={"name": f"offices/{other_office.pk}/x"}
    )
    assert cleanup.cleanup_run(row.pk) is False
    row.refresh_from_db()
    assert "own office's path" in row.last_error


def test_a_claimed_cleanup_is_not_run_twice(office):
    row = PendingCleanup.objects.create(office=office, kind="test.never", payload={})
    PendingCleanup.unscoped.filter(pk=row.pk).update(claimed_at=dt.datetime.now(dt.UTC))
    assert cleanup.cleanup_run(row.pk) is False
    row.refresh_from_db()
    assert row.attempts == 0


# --- The page ---------------------------------------------------------------------------------------
def _fresh_otp(client) -> None:
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


def test_the_page_shows_what_goes_and_asks_to_close_open_cases(office, manager, manager_client):
    seeded = seed.seed_person(office, manager)
    url = reverse("security:subject_erase", args=[seeded.person.pk])
    assert manager_client.get(url).url.startswith(reverse("security:otp_confirm"))
    _fresh_otp(manager_client)
    page = manager_client.get(url).content.decode()
    assert f"case {seeded.case.reference} (awaiting third party)" in page
    assert "Close their open cases first" in page
    refused = manager_client.post(url, {"confirm": "on"})
    assert refused.status_code == 200
    assert "Confirm that their open cases may be closed." in refused.content.decode()
    assert not Erasure.objects.for_office(office).exists()
    response = manager_client.post(url, {"confirm": "on", "settle": "on"})
    assert response.status_code == 302
    assert Erasure.objects.for_office(office).get().subject_id == seeded.person.pk


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_cannot_erase(role_client, request, office):
    client = request.getfixturevalue(role_client)
    _fresh_otp(client)
    person = ConstituentFactory(office=office)
    url = reverse("security:subject_erase", args=[person.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on", "settle": "on"}).status_code == 403
    person.refresh_from_db()
    assert person.erased_at is None
