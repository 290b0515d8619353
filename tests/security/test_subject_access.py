"""Subject access requests: the one-month deadline, extension, review, the export and its download."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import zipfile

import pytest
import time_machine
from django.urls import reverse

from security.audit import audit_record
from security.dataprotection import dates
from security.dataprotection import sar as sar_services
from security.dataprotection.models import SarStatus, SubjectAccessRequest
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import AuditEvent
from tests.factories import ConstituentFactory
from tests.security import dataprotection_seed as seed


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def seeded(office, manager):
    return seed.seed_person(office, manager)


def _fresh_otp(client) -> None:
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


# --- The deadline ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 3, 15), dt.date(2026, 4, 15)),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),  # no 31 February: the last day of the month
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),  # across the year end
        (dt.date(2026, 2, 28), dt.date(2026, 3, 28)),
    ],
)
def test_it_is_due_the_same_date_next_month_or_the_last_day_of_it(received, due):
    assert dates.sar_due(received) == due


def test_it_counts_an_extension_from_receipt_not_from_the_first_deadline():
    # 31 Jan + 1 month is 28 Feb, but + 3 months is 30 April (not 28 May, nor 28 April).
    assert dates.sar_due(dt.date(2026, 1, 31), 2) == dt.date(2026, 4, 30)
    assert dates.sar_due(dt.date(2026, 1, 31), 1) == dt.date(2026, 3, 31)
    with pytest.raises(ValueError, match="at most 2"):
        dates.sar_due(dt.date(2026, 1, 31), 3)


def test_it_logs_a_request_due_one_month_after_receipt_and_audits_it(office, manager):
    person = ConstituentFactory(office=office)
    with time_machine.travel(dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC), tick=False):
        request = sar_services.sar_log(
            office=office, actor=manager, subject_id=person.pk, received_on=dt.date(2026, 1, 31), received_by="letter"
        )
    assert request.due_on == dt.date(2026, 2, 28)
    event = AuditEvent.objects.get(verb="security.sar.logged")
    assert (event.object_id, event.fields) == (str(request.pk), ["received_on"])


def test_it_refuses_a_future_date_and_another_offices_person(office, other_office, manager):
    mine, theirs = ConstituentFactory(office=office), ConstituentFactory(office=other_office)
    with pytest.raises(DomainError, match="future"):
        sar_services.sar_log(
            office=office,
            actor=manager,
            subject_id=mine.pk,
            received_on=dt.date.today() + dt.timedelta(days=2),
            received_by="email",
        )
    with pytest.raises(DomainError, match="Choose the person"):
        sar_services.sar_log(
            office=office, actor=manager, subject_id=theirs.pk, received_on=dt.date.today(), received_by="email"
        )


def test_it_extends_by_at_most_two_further_months_with_a_reason(office, manager):
    person = ConstituentFactory(office=office)
    with time_machine.travel(dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC), tick=False):
        request = sar_services.sar_log(
            office=office, actor=manager, subject_id=person.pk, received_on=dt.date(2026, 1, 31), received_by="email"
        )
    with time_machine.travel(dt.datetime(2026, 2, 20, 10, tzinfo=dt.UTC), tick=False):
        with pytest.raises(DomainError, match="reason"):
            sar_services.sar_extend(sar=request, actor=manager, months=1, reason=" ")
        request = sar_services.sar_extend(sar=request, actor=manager, months=1, reason="Ten years of casework")
        assert request.due_on == dt.date(2026, 3, 31)
        request = sar_services.sar_extend(sar=request, actor=manager, months=1, reason="Still more")
        assert request.due_on == dt.date(2026, 4, 30)
        with pytest.raises(DomainError, match="at most 2 further months"):
            sar_services.sar_extend(sar=request, actor=manager, months=1, reason="Again")
    assert AuditEvent.objects.filter(verb="security.sar.extended").count() == 2


def test_it_refuses_an_extension_after_the_deadline(office, manager):
    person = ConstituentFactory(office=office)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        request = sar_services.sar_log(
            office=office, actor=manager, subject_id=person.pk, received_on=dt.date(2026, 3, 2), received_by="email"
        )
    with (
        time_machine.travel(dt.datetime(2026, 4, 3, 10, tzinfo=dt.UTC), tick=False),
        pytest.raises(DomainError, match="deadline has passed"),
    ):
        sar_services.sar_extend(sar=request, actor=manager, months=1, reason="Late")


def test_the_due_soon_list_shows_open_requests_within_two_weeks_and_overdue(office, manager):
    person = ConstituentFactory(office=office)

    def logged(day):
        with time_machine.travel(dt.datetime.combine(day, dt.time(10), dt.UTC), tick=False):
            return sar_services.sar_log(
                office=office, actor=manager, subject_id=person.pk, received_on=day, received_by="email"
            )

    overdue = logged(dt.date(2026, 1, 5))  # due 5 Feb
    soon = logged(dt.date(2026, 2, 20))  # due 20 March
    later = logged(dt.date(2026, 3, 9))  # due 9 April
    answered = logged(dt.date(2026, 1, 6))
    SubjectAccessRequest.objects.for_office(office).filter(pk=answered.pk).update(status=SarStatus.ANSWERED)
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), tick=False):
        due = list(sar_services.sars_due_soon(office=office))
        assert due == [overdue, soon]
        assert later not in due
        assert overdue.days_left() < 0


# --- Review and export ------------------------------------------------------------------------------
def _open_zip(request: SubjectAccessRequest) -> zipfile.ZipFile:
    with request.export_file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_the_export_holds_everything_the_registry_finds(seeded, manager):
    tables, names = sar_services.sar_review_items(sar=seeded.sar)
    labels = {table.label for table in tables}
    assert {
        "constituents.constituent",
        "constituents.constituentemail",
        "constituents.constituentphone",
        "constituents.representative",
        "casework.case",
        "casework.caseevent",
        "casework.casedocument",
        "correspondence.message",
        "correspondence.rawemail",
        "correspondence.attachment",
        "correspondence.outgoingemail",
        "correspondence.enquiry",
        "security.subjectaccessrequest",
    } <= labels
    # Her own names are never offered for redaction; the person acting for her is.
    assert "Ophelia Quibbleworth" in names
    assert seed.NAME not in names

    request = sar_services.sar_review_save(sar=seeded.sar, actor=manager, withheld=[], redact_terms=[])
    request = sar_services.sar_generate(sar=request, actor=manager)
    assert request.status == SarStatus.READY
    assert request.export_file.name.startswith(f"offices/{request.office_id}/exports/sar/")
    archive = _open_zip(request)
    members = archive.namelist()
    assert {"index.html", "data.json"} <= set(members)
    data = json.loads(archive.read("data.json"))
    assert data["tables"]["constituents.constituent"][0]["last_name"] == seed.LAST
    assert data["tables"]["constituents.constituentemail"][0]["email"] == seed.EMAIL
    notes = [e["note"] for e in data["tables"]["casework.caseevent"] if e["note"]]
    assert any("07400 123987" in note for note in notes)
    channels = {m["subject"] for m in data["tables"]["correspondence.message"]}
    assert {f"Letter to {seed.NAME}", f"Call from {seed.FIRST}", "Web form message"} <= channels
    assert any("Your damp flat" in subject for subject in channels)  # the reply, through the outbox
    # Files: the case document, the emailed attachment and the letter's scan, with their bytes.
    files = [name for name in members if name.startswith("files/")]
    assert len(files) == 3
    attachment = next(n for n in files if n.startswith("files/correspondence.attachment/") and "evidence" in n)
    assert seed.POSTCODE in archive.read(attachment).decode()
    # Audit entries about her rows: ids and field names.
    assert any(entry["action"] == "constituents.constituent.created" for entry in data["audit"])
    html = archive.read("index.html").decode()
    assert "<h1>Your personal data held by Office A</h1>" in html
    assert seed.EMAIL in html
    assert "Who has seen or changed your records" in html


def test_redaction_replaces_other_peoples_names_and_withholds_ticked_items(seeded, manager):
    document_key = next(
        item.key
        for table in sar_services.sar_review_items(sar=seeded.sar)[0]
        for item in table.items
        if item.key.startswith("casework.casedocument:")
    )
    request = sar_services.sar_review_save(
        sar=seeded.sar, actor=manager, withheld=[document_key], redact_terms=[seed.OTHER_NAME.upper(), "x"]
    )
    assert request.redact_terms == [seed.OTHER_NAME.upper()]  # one-letter terms are dropped
    request = sar_services.sar_generate(sar=request, actor=manager)
    archive = _open_zip(request)
    everything = b"".join(archive.read(name) for name in archive.namelist() if not name.startswith("files/"))
    assert seed.OTHER_NAME.encode() not in everything
    assert b"[redacted]" in everything
    data = json.loads(archive.read("data.json"))
    assert "casework.casedocument" not in [k for k, rows in data["tables"].items() if rows]
    assert data["withheld"] == {"casework.casedocument": 1}
    assert not any(n.startswith("files/casework.casedocument/") for n in archive.namelist())
    assert "1 item withheld under an exemption" in archive.read("index.html").decode()


def test_a_review_refuses_rows_that_are_not_the_persons(seeded, manager, office):
    stranger = ConstituentFactory(office=office)
    with pytest.raises(DomainError, match="not part of this person"):
        sar_services.sar_review_save(
            sar=seeded.sar, actor=manager, withheld=[f"constituents.constituent:{stranger.pk}"], redact_terms=[]
        )


def test_changing_the_review_discards_the_export(seeded, manager, django_capture_on_commit_callbacks):
    request = sar_services.sar_review_save(sar=seeded.sar, actor=manager, withheld=[], redact_terms=[])
    request = sar_services.sar_generate(sar=request, actor=manager)
    name = request.export_file.name
    storage = request.export_file.storage
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        request = sar_services.sar_review_save(sar=request, actor=manager, withheld=[], redact_terms=["Ophelia"])
    assert request.status == SarStatus.IN_REVIEW
    assert not request.export_file
    assert not storage.exists(name)
    with pytest.raises(DomainError, match="Generate the export"):
        sar_services.sar_mark_answered(sar=request, actor=manager)


def test_the_export_needs_a_review_first(seeded, manager):
    with pytest.raises(DomainError, match="Review the data first"):
        sar_services.sar_generate(sar=seeded.sar, actor=manager)


def test_audit_entries_of_another_office_never_reach_the_export(seeded, manager, other_office):
    audit_record(
        verb="walk.elsewhere", office=other_office, object_type="constituents.constituent", object_id=seeded.person.pk
    )
    request = sar_services.sar_review_save(sar=seeded.sar, actor=manager, withheld=[], redact_terms=[])
    request = sar_services.sar_generate(sar=request, actor=manager)
    data = json.loads(_open_zip(request).read("data.json"))
    assert "walk.elsewhere" not in {entry["action"] for entry in data["audit"]}


# --- Pages --------------------------------------------------------------------------------------------
def test_a_manager_logs_reviews_generates_and_downloads_after_a_fresh_code(seeded, manager_client, office):
    person = seeded.person
    response = manager_client.post(
        reverse("security:sar_create", args=[person.pk]),
        {"received_on": dt.date.today().isoformat(), "received_by": "letter", "notes": ""},
    )
    request = SubjectAccessRequest.objects.for_office(office).exclude(pk=seeded.sar.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("security:sar_detail", args=[request.pk])
    page = manager_client.get(reverse("security:sar_review", args=[request.pk]))
    assert page.status_code == 200
    assert "Ophelia Quibbleworth" in page.content.decode()
    response = manager_client.post(
        reverse("security:sar_review", args=[request.pk]),
        {"names": ["Ophelia Quibbleworth"], "extra_terms": seed.OTHER_NAME},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.redact_terms == ["Ophelia Quibbleworth", seed.OTHER_NAME]
    manager_client.post(reverse("security:sar_generate", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == SarStatus.READY

    download = reverse("security:sar_download", args=[request.pk])
    stale = manager_client.get(download)
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("security:otp_confirm"))
    assert not AuditEvent.objects.filter(verb="security.sar.downloaded").exists()
    _fresh_otp(manager_client)
    response = manager_client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-request-{request.pk}.zip"'
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    assert AuditEvent.objects.filter(verb="security.sar.downloaded", object_id=str(request.pk)).exists()
    manager_client.post(reverse("security:sar_answered", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == SarStatus.ANSWERED


def test_extension_form_errors_are_shown(seeded, manager_client):
    response = manager_client.post(reverse("security:sar_extend", args=[seeded.sar.pk]), {"months": "3"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("role_client", ["caseworker_client", "mp_client", "volunteer_client"])
def test_other_roles_are_refused_every_page(role_client, request, seeded):
    client = request.getfixturevalue(role_client)
    _fresh_otp(client)
    sar_id, person_id = seeded.sar.pk, seeded.person.pk
    gets = [
        reverse("security:data_protection"),
        reverse("security:sar_list"),
        reverse("security:sar_create", args=[person_id]),
        reverse("security:sar_detail", args=[sar_id]),
        reverse("security:sar_review", args=[sar_id]),
        reverse("security:sar_download", args=[sar_id]),
    ]
    posts = [
        reverse("security:sar_create", args=[person_id]),
        reverse("security:sar_extend", args=[sar_id]),
        reverse("security:sar_review", args=[sar_id]),
        reverse("security:sar_generate", args=[sar_id]),
        reverse("security:sar_answered", args=[sar_id]),
        reverse("security:sar_withdraw", args=[sar_id]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url).status_code == 403, url
    seeded.sar.refresh_from_db()
    assert seeded.sar.status == SarStatus.RECEIVED


def test_the_lists_take_a_fixed_number_of_queries(office, manager, manager_client, django_assert_max_num_queries):
    for n in range(15):
        person = ConstituentFactory(office=office, last_name=f"Person{n}")
        sar_services.sar_log(
            office=office, actor=manager, subject_id=person.pk, received_on=dt.date.today(), received_by="email"
        )
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("security:sar_list"))
    assert response.content.decode().count("Person") >= 15
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("security:data_protection") + "?q=Person")
    assert response.content.decode().count("Log a subject access request") == 15


def test_erasing_a_request_keeps_its_dates_and_drops_its_text(seeded, manager):
    request = sar_services.sar_review_save(sar=seeded.sar, actor=manager, withheld=[], redact_terms=["Ophelia"])
    sar_services.sar_erase_details(sar=request)
    request.refresh_from_db()
    assert (request.notes, request.redact_terms, request.received_on) == ("", [], seeded.sar.received_on)
