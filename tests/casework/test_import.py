"""Importing constituents and cases from CSV or Excel: column mapping, a dry run listing every
row's errors, and an import that is all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from casework import importing
from casework import services as case_services
from casework.models import Case, CaseStatus, ImportJob, ImportStatus, Tag
from constituents.models import Constituent, ConstituentEmail
from security import tasks
from security.dataprotection import erasure
from security.errors import DomainError
from security.models import AuditEvent
from tests.factories import ConstituentFactory

GOOD = (
    "Surname,Forename,E-mail,Telephone,Post Code,Subject,Status,Date Opened,Date Closed,Case Ref,Tags\n"
    "Okafor,Ada,ada@example.org,07911 123456,SW1A 1AA,Damp in flat,Open,03/02/2024,,OLD-1,Disrepair\n"
    "Brown,Ben,ben@example.org,,,PIP appeal,Closed,2019-05-01,2019-08-30,OLD-2,PIP; universal credit\n"
    "Okafor,Ada,ada@example.org,,,Second matter,,,,,\n"
    "Cole,Cy,,,,,,,,,\n"
)
BAD = (
    "Surname,E-mail,Post Code,Subject,Status,Date Opened,Tags\n"
    "Okafor,not-an-email,,Damp,Open,,\n"
    ",,,Orphan case,,,\n"
    "Brown,,ZZZ,,,,\n"
    "Cole,,,Bad date,Open,31/31/2020,\n"
    "Dee,,,Unknown tag,Open,,Moon landings\n"
    "Eve,,,,Closed,,\n"
    "Fine,fine@example.org,,Fine case,Open,,\n"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def vocabulary(office):
    case_services.office_initialise(office)


def _upload(office, manager, text: str, name: str = "old-system.csv") -> ImportJob:
    return importing.import_upload(office=office, actor=manager, upload=SimpleUploadedFile(name, text.encode()))


def test_the_columns_are_guessed_from_their_names(office, manager):
    job = _upload(office, manager, GOOD)
    assert job.row_count == 4
    assert job.mapping == {
        "first_name": 1,
        "last_name": 0,
        "email": 2,
        "phone": 3,
        "postcode": 4,
        "summary": 5,
        "status": 6,
        "opened_on": 7,
        "closed_on": 8,
        "their_reference": 9,
        "tags": 10,
    }


def test_a_check_lists_every_bad_row_and_imports_nothing(office, manager, vocabulary):
    job = _upload(office, manager, BAD)
    job = importing.import_check(job=job, actor=manager)
    assert job.status == ImportStatus.CHECKED
    errors = {e["row"]: e["messages"][0] for e in job.errors}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert "not-an-email" in errors[2]
    assert errors[3] == "Last name: every row needs one."
    assert "ZZZ" in errors[4]
    assert "not a date" in errors[5]
    assert "Moon landings" in errors[6]
    assert errors[7] == "Case summary: a row with case details needs one."
    assert job.counts == {"people": 1, "matched": 0, "cases": 1}  # what the good row would add
    assert not Constituent.objects.for_office(office).exists()
    assert not AuditEvent.objects.filter(verb="constituents.constituent.created").exists()
    with pytest.raises(DomainError, match="6 rows have errors"):
        importing.import_commit(job=job, actor=manager)
    assert not Constituent.objects.for_office(office).exists()
    assert not Case.objects.for_office(office).exists()


def test_a_good_file_imports_people_and_cases(office, manager, vocabulary, django_capture_on_commit_callbacks):
    ConstituentFactory(office=office, last_name="Okafor")  # a namesake, not matched by name
    job = importing.import_check(job=_upload(office, manager, GOOD), actor=manager)
    assert job.errors == []
    assert job.counts == {"people": 3, "matched": 1, "cases": 3}
    name = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.import_commit(job=job, actor=manager)
    assert job.status == ImportStatus.IMPORTED
    assert not job.file
    assert not job.file.storage.exists(name)  # its rows now live in the tables
    ada = ConstituentEmail.objects.for_office(office).get(email="ada@example.org").constituent
    assert ada.cases.count() == 2  # the third row matched her by email
    assert ada.phones.get().number == "+447911123456"
    damp = Case.objects.for_office(office).get(summary="Damp in flat")
    assert damp.opened_at.date() == dt.date(2024, 2, 3)
    assert damp.reference.startswith("2024/")
    assert [t.name for t in damp.tags.all()] == ["Disrepair"]
    assert "Reference in the previous system: OLD-1" in damp.description
    pip = Case.objects.for_office(office).get(summary="PIP appeal")
    assert (pip.status, pip.closed_at.date(), pip.reference[:5]) == (CaseStatus.CLOSED, dt.date(2019, 8, 30), "2019/")
    assert sorted(t.name for t in pip.tags.all()) == ["PIP and disability benefits", "Universal Credit"]
    assert Constituent.objects.for_office(office).filter(last_name="Cole", cases=None).exists()
    assert AuditEvent.objects.filter(verb="casework.case.imported").count() == 3
    assert AuditEvent.objects.filter(verb="casework.import.imported", office=office).exists()
    assert Case.objects.for_office(office).filter(search_vector__isnull=False).count() == 3


def test_a_row_that_fails_at_import_time_leaves_everything_unchanged(office, manager, vocabulary):
    job = importing.import_check(job=_upload(office, manager, GOOD), actor=manager)
    Tag.objects.for_office(office).filter(name="Disrepair").update(is_active=False)  # retired since the check
    with pytest.raises(DomainError, match="Nothing was imported: 1 rows"):
        importing.import_commit(job=job, actor=manager)
    job.refresh_from_db()
    assert job.errors[0]["row"] == 2
    assert not Constituent.objects.for_office(office).exists()


def test_an_excel_workbook_with_date_cells(office, manager, vocabulary):
    book = Workbook()
    sheet = book.active
    sheet.append(["Last name", "First name", "Summary", "Opened"])
    sheet.append(["Ng", "Li", "Visa delay", dt.datetime(2023, 7, 14)])
    sheet.append([None, None, None, None])  # blank rows are skipped
    sheet.append(["Oduya", "Tobi", "Passport", dt.date(2022, 1, 2)])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("export.xlsx", data.getvalue())
    job = importing.import_upload(office=office, actor=manager, upload=upload)
    assert job.row_count == 2
    importing.import_map(
        job=job, actor=manager, mapping={"last_name": 0, "first_name": 1, "summary": 2, "opened_on": 3}
    )
    job = importing.import_commit(job=importing.import_check(job=job, actor=manager), actor=manager)
    visa = Case.objects.for_office(office).get(summary="Visa delay")
    assert visa.opened_at.date() == dt.date(2023, 7, 14)
    assert visa.constituent.first_name == "Li"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"Surname\nA\n", "Choose a CSV file"),
        ("empty.csv", b"", "The file is empty"),
        ("header.csv", b"Surname\n", "no rows of data"),
        ("broken.xlsx", b"not a zip", "cannot be read"),
    ],
)
def test_unreadable_files_are_refused(office, manager, name, content, message):
    with pytest.raises(DomainError, match=message):
        importing.import_upload(office=office, actor=manager, upload=SimpleUploadedFile(name, content))
    assert not ImportJob.objects.for_office(office).exists()


def test_too_many_rows_are_refused(office, manager, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    with pytest.raises(DomainError, match="at most 3 at a time"):
        _upload(office, manager, "Surname\nA\nB\nC\nD\n")


def test_a_mapping_must_name_the_person_and_use_each_column_once(office, manager):
    job = _upload(office, manager, GOOD)
    with pytest.raises(DomainError, match="last name"):
        importing.import_map(job=job, actor=manager, mapping={"summary": 5})
    with pytest.raises(DomainError, match="one field only"):
        importing.import_map(job=job, actor=manager, mapping={"last_name": 0, "first_name": 0})
    with pytest.raises(DomainError, match="columns of the file"):
        importing.import_map(job=job, actor=manager, mapping={"last_name": 99})


def test_an_erasure_discards_files_not_yet_imported(office, manager, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.cleanups_run, "delay", tasks.cleanups_run)
    person = ConstituentFactory(office=office)
    job = _upload(office, manager, GOOD)
    name = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        erasure.subject_erase(office=office, subject_id=person.pk, actor=manager)
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert not job.file.storage.exists(name)


# --- Pages -------------------------------------------------------------------------------------------
def test_a_manager_uploads_checks_and_imports(office, manager, manager_client, vocabulary):
    response = manager_client.post(
        reverse("casework:import_start"), {"file": SimpleUploadedFile("old.csv", BAD.encode())}
    )
    job = ImportJob.objects.for_office(office).get()
    assert response.url == reverse("casework:import_detail", args=[job.pk])
    url = response.url
    page = manager_client.get(url).content.decode()
    assert '<option value="0" selected>Surname</option>' in page
    mapping = {"last_name": "0", "email": "1", "postcode": "2", "summary": "3", "status": "4", "opened_on": "5"}
    manager_client.post(url, {**mapping, "tags": "6", "action": "check"})
    page = manager_client.get(url).content.decode()
    assert "6 rows with problems" in page
    assert "Moon landings" in page
    assert "Import 7 rows" not in page
    # Leave the tags column out and fix nothing else: still errors, still nothing imported.
    manager_client.post(url, {**mapping, "action": "import"})
    assert not Constituent.objects.for_office(office).exists()
    manager_client.post(url, {"action": "discard"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED


def test_a_good_file_through_the_pages(office, manager, manager_client, vocabulary):
    manager_client.post(reverse("casework:import_start"), {"file": SimpleUploadedFile("old.csv", GOOD.encode())})
    job = ImportJob.objects.for_office(office).get()
    url = reverse("casework:import_detail", args=[job.pk])
    mapping = {key: str(index) for key, index in job.mapping.items()}
    manager_client.post(url, {**mapping, "action": "check"})
    assert "Import 4 rows" in manager_client.get(url).content.decode()
    manager_client.post(url, {**mapping, "action": "import"})
    assert Case.objects.for_office(office).count() == 3


def test_a_bad_upload_shows_its_error(manager_client):
    response = manager_client.post(
        reverse("casework:import_start"), {"file": SimpleUploadedFile("x.txt", b"Surname\nA\n")}
    )
    assert "Choose a CSV file" in response.content.decode()


def test_the_list_takes_a_fixed_number_of_queries(office, manager, manager_client, django_assert_max_num_queries):
    for _ in range(10):
        _upload(office, manager, GOOD)
    with django_assert_max_num_queries(10):
        page = manager_client.get(reverse("casework:import_start")).content.decode()
    assert page.count("old-system.csv") == 10


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_cannot_import(role_client, request, office, manager):
    client = request.getfixturevalue(role_client)
    job = _upload(office, manager, GOOD)
    assert client.get(reverse("casework:import_start")).status_code == 403
    upload = {"file": SimpleUploadedFile("a.csv", GOOD.encode())}
    assert client.post(reverse("casework:import_start"), upload).status_code == 403
    url = reverse("casework:import_detail", args=[job.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"last_name": "0", "action": "check"}).status_code == 403
    assert ImportJob.objects.for_office(office).count() == 1


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000), kind=st.sampled_from(["csv", "xlsx"]))
def test_any_bytes_are_read_or_refused_clearly(data, kind):
    try:
        rows = list(importing.read_rows(kind, data))
    except DomainError:
        return
    assert all(isinstance(cell, str) for row in rows for cell in row)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_date_text_is_a_date_or_a_clear_error(text):
    try:
        value, message = importing._date(text.strip(), "Date opened"), "Date opened:"
    except DomainError as error:
        value, message = None, str(error)
    assert message.startswith("Date opened:")
    assert value is None or isinstance(value, dt.date)
