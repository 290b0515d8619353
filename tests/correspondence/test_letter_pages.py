"""Letter pages: writing a letter on a case, the paragraph picker, and the manager's pages."""

from __future__ import annotations

import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casework import services as case_services
from correspondence import letters
from correspondence.demo_letters import demo_logo, demo_signature
from correspondence.models import Attachment, Letterhead, LetterTemplate, Message, StandardParagraph
from security.models import AuditEvent
from tests.factories import ConstituentFactory, OrganisationFactory


@pytest.fixture
def person(office):
    return ConstituentFactory(
        office=office, title="Ms", first_name="Priya", last_name="Sharma", address_line1="12 Mill Lane"
    )


@pytest.fixture
def case(office, person, caseworker):
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="PIP reduced")


@pytest.fixture
def template(office, manager):
    return letters.template_save(
        office=office,
        actor=manager,
        name="Acknowledgement",
        addressee="constituent",
        body="Dear {{ constituent.salutation }},\n\nAbout {{ case.reference }}.\n\nYours sincerely,",
    )


@pytest.fixture
def paragraph(office, manager):
    return letters.paragraph_save(
        office=office,
        actor=manager,
        title="Keep in touch",
        category="Closing",
        shortcut="in-touch",
        body="Please quote {{ case.reference }} when you write.",
    )


def letter_post(**values):
    return {
        "addressee": "constituent",
        "organisation": "",
        "address": "Ms Priya Sharma\n12 Mill Lane\nNorthtown\nNT1 1AA",
        "their_reference": "",
        "subject": "Acknowledgement",
        "body": "Dear Ms Sharma,\n\nThank you.\n\nYours sincerely,",
    } | values


# --- The case page ------------------------------------------------------------------------------
def test_the_case_page_offers_a_letter_with_the_w_shortcut(caseworker_client, case):
    page = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert f'href="/cases/{case.pk}/letter" data-shortcut="w"' in page
    assert "<kbd>w</kbd>" in page


def test_a_volunteer_sees_letters_but_cannot_write_one(volunteer_client, case):
    page = volunteer_client.get(f"/cases/{case.pk}").content.decode()
    assert "Letters" in page
    assert f"/cases/{case.pk}/letter" not in page
    assert volunteer_client.get(f"/cases/{case.pk}/letter").status_code == 403
    assert volunteer_client.post(f"/cases/{case.pk}/letter", letter_post()).status_code == 403
    assert volunteer_client.post(f"/cases/{case.pk}/letter/preview", letter_post()).status_code == 403
    assert volunteer_client.get("/letters/paragraphs/picker").status_code == 403
    assert not Message.objects.for_office(case.office).exists()


def test_the_case_page_lists_letters_in_a_constant_number_of_queries(caseworker_client, case, caseworker):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert caseworker_client.get(f"/cases/{case.pk}").status_code == 200
        return len(queries)

    letters.letter_create(case=case, actor=caseworker, **_create_args())
    one = count()
    for _ in range(4):
        letters.letter_create(case=case, actor=caseworker, **_create_args())
    assert count() == one
    page = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert page.count(">PDF<span") == 5


def _create_args():
    values = letter_post()
    return {k: values[k] for k in ("addressee", "address", "subject", "body")}


# --- Writing a letter ---------------------------------------------------------------------------
def test_it_starts_from_a_template_merged_for_the_constituent(caseworker_client, case, template, paragraph):
    page = caseworker_client.get(f"/cases/{case.pk}/letter", {"template": template.pk}).content.decode()
    assert "Dear Ms Sharma," in page
    assert f"About {case.reference}." in page
    assert "Ms Priya Sharma\n12 Mill Lane" in page
    assert "Letter to Ms Priya Sharma: Acknowledgement" in page
    assert "Keep in touch" in page
    assert f"Please quote {case.reference} when you write." in page
    assert AuditEvent.objects.filter(verb="casework.case.viewed", object_id=str(case.pk)).exists()


def test_it_starts_a_letter_to_an_organisation(caseworker_client, office, case, template):
    council = OrganisationFactory(office=office, name="Northtown Council", postal_address="Town Hall\nNT1 1AB")
    query = {"template": template.pk, "addressee": "organisation", "organisation": council.pk}
    page = caseworker_client.get(f"/cases/{case.pk}/letter", query).content.decode()
    assert "Northtown Council\nTown Hall\nNT1 1AB" in page
    assert f'name="organisation" value="{council.pk}"' in page
    assert "<strong>To:</strong> Northtown Council" in page
    missing = caseworker_client.get(f"/cases/{case.pk}/letter", {"addressee": "organisation"}).content.decode()
    assert "Choose the organisation to write to." in missing


def test_another_offices_organisation_or_template_is_not_offered(caseworker_client, other_office, case, bob):
    theirs = OrganisationFactory(office=other_office, name="Their Council")
    their_template = letters.template_save(
        office=other_office, actor=bob, name="Theirs", addressee="constituent", body="THEIR TEMPLATE"
    )
    query = {"template": their_template.pk, "addressee": "organisation", "organisation": theirs.pk}
    page = caseworker_client.get(f"/cases/{case.pk}/letter", query).content.decode()
    assert "THEIR TEMPLATE" not in page
    assert "Their Council" not in page
    response = caseworker_client.post(
        f"/cases/{case.pk}/letter", letter_post(addressee="organisation", organisation=theirs.pk)
    )
    assert response.status_code == 200
    assert not Message.objects.for_office(case.office).exists()


def test_a_template_with_a_withdrawn_field_names_it(caseworker_client, office, case):
    broken = LetterTemplate.objects.create(office=office, name="Old", body="Hello {{ constituent.nickname }}")
    page = caseworker_client.get(f"/cases/{case.pk}/letter", {"template": broken.pk}).content.decode()
    assert "cannot be used until it is corrected" in page
    assert "{{ constituent.nickname }}" in page


def test_saving_keeps_the_letter_on_the_case_with_its_pdf(caseworker_client, office, case, caseworker):
    response = caseworker_client.post(f"/cases/{case.pk}/letter", letter_post(their_reference="X-1"))
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}"
    message = Message.objects.for_office(office).get()
    assert (message.channel, message.direction, message.triage_state) == ("letter", "out", "filed")
    assert message.case == case
    assert message.constituent == case.constituent
    assert message.logged_by == caseworker
    assert message.sent_at is not None
    assert message.text == "Dear Ms Sharma,\n\nThank you.\n\nYours sincerely,"
    attachment = Attachment.objects.for_office(office).get(message=message)
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.startswith(f"offices/{office.pk}/attachments/")
    with attachment.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert attachment.size == len(pdf)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Our ref: " + case.reference in text
    assert "Your ref: X-1" in text
    event = AuditEvent.objects.get(verb="correspondence.letter.created")
    assert event.object_id == str(message.pk)
    assert "text" in event.fields
    case.refresh_from_db()
    assert case.first_response_at is not None, "a letter to the constituent is the office's reply"
    page = caseworker_client.get(f"/cases/{case.pk}").content.decode()
    assert "Letter saved" in page
    assert "Acknowledgement" in page
    download = caseworker_client.get(f"/messages/{message.pk}/attachments/{attachment.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_an_empty_letter_or_an_oversized_address_is_refused(caseworker_client, case):
    response = caseworker_client.post(f"/cases/{case.pk}/letter", letter_post(body="   "))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    eight = "\n".join(f"Line {n}" for n in range(8))
    response = caseworker_client.post(f"/cases/{case.pk}/letter", letter_post(address=eight))
    assert "7 lines at most" in response.content.decode()
    assert not Message.objects.for_office(case.office).exists()


def test_a_closed_case_takes_no_letter(caseworker_client, case, caseworker):
    case_services.case_close(case=case, actor=caseworker, reason="resolved")
    response = caseworker_client.get(f"/cases/{case.pk}/letter")
    assert response.status_code == 302
    assert caseworker_client.post(f"/cases/{case.pk}/letter", letter_post()).status_code == 302
    assert not Message.objects.for_office(case.office).exists()


def test_a_restricted_case_is_only_for_its_assignee(office, case, caseworker, manager, caseworker_client):
    case_services.case_update(case=case, actor=manager, version=case.version, restricted=True)
    case.refresh_from_db()
    letters.paragraph_save(office=office, actor=manager, title="Ref", body="Ref {{ case.reference }}.")
    assert caseworker_client.get(f"/cases/{case.pk}/letter").status_code == 404
    assert caseworker_client.post(f"/cases/{case.pk}/letter", letter_post()).status_code == 404
    picker = caseworker_client.get("/letters/paragraphs/picker", {"case": case.pk, "format": "json"})
    assert picker.json()["paragraphs"][0]["text"] == "Ref .", "a case the member cannot see merges nothing"
    case_services.case_assign(case=case, actor=manager, assignee=caseworker)
    assert caseworker_client.get(f"/cases/{case.pk}/letter").status_code == 200


def test_preview_shows_the_page_with_the_text_escaped(caseworker_client, case):
    body = 'Dear Ms Sharma,\n\n<script>alert(1)</script> <img src="x" onerror="alert(2)">\n\n{{ case.reference }}'
    response = caseworker_client.post(
        f"/cases/{case.pk}/letter/preview", letter_post(body=body), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert 'onerror="alert' not in page
    assert '<p class="letter__address">Ms Priya Sharma\n12 Mill Lane\nNorthtown\nNT1 1AA</p>' in page
    assert "still contains {{ case.reference }}" in page
    assert "<html" not in page, "an htmx preview is a partial"
    assert not Message.objects.for_office(case.office).exists()


def test_preview_without_htmx_is_the_editor_with_the_preview_and_errors_show(caseworker_client, case):
    page = caseworker_client.post(f"/cases/{case.pk}/letter/preview", letter_post()).content.decode()
    assert "Write a letter" in page
    assert 'class="letter"' in page
    bad = caseworker_client.post(f"/cases/{case.pk}/letter/preview", letter_post(body=""), HTTP_HX_REQUEST="true")
    assert "Fix these before previewing" in bad.content.decode()


def test_preview_as_pdf(caseworker_client, case):
    response = caseworker_client.post(f"/cases/{case.pk}/letter/preview", letter_post(format="pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    pdf = b"".join(response.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    assert b"Thank you." in text
    assert not Message.objects.for_office(case.office).exists()


def test_insert_without_javascript_adds_the_paragraph_at_the_end(caseworker_client, case, paragraph):
    response = caseworker_client.post(
        f"/cases/{case.pk}/letter", letter_post(body="Dear Ms Sharma,", insert=paragraph.pk)
    )
    page = response.content.decode()
    assert f"Dear Ms Sharma,\n\nPlease quote {case.reference} when you write." in page
    assert not Message.objects.for_office(case.office).exists()


# --- The paragraph picker (also for email replies) ------------------------------------------------
def test_the_picker_merges_for_the_case_and_filters(caseworker_client, office, case, paragraph, manager):
    letters.paragraph_save(office=office, actor=manager, title="Consent", category="Consent", body="Consent text.")
    response = caseworker_client.get("/letters/paragraphs/picker", {"case": case.pk, "q": "touch", "target": "id_text"})
    page = response.content.decode()
    assert f"Please quote {case.reference} when you write." in page
    assert 'data-insert-target="id_text"' in page
    assert "Consent text." not in page
    rows = caseworker_client.get("/letters/paragraphs/picker", {"case": case.pk, "format": "json"}).json()
    assert [row["title"] for row in rows["paragraphs"]] == ["Keep in touch", "Consent"]  # by category
    assert rows["paragraphs"][0]["text"] == f"Please quote {case.reference} when you write."
    assert rows["paragraphs"][0]["shortcut"] == "in-touch"


def test_the_picker_ignores_a_bad_target_and_another_offices_case(caseworker_client, other_office, paragraph, bob):
    their_case = case_services.case_open(
        office=other_office, constituent=ConstituentFactory(office=other_office), opened_by=bob, summary="x"
    )
    response = caseworker_client.get(
        "/letters/paragraphs/picker", {"case": their_case.pk, "target": '"><script>', "format": "json"}
    )
    assert response.json()["paragraphs"][0]["text"] == "Please quote  when you write."
    page = caseworker_client.get("/letters/paragraphs/picker", {"target": '"><script>'}).content.decode()
    assert 'data-insert-target="id_body"' in page
    assert "<script>" not in page


def test_a_paragraph_with_a_withdrawn_field_says_so_in_the_picker(caseworker_client, office):
    StandardParagraph.objects.create(office=office, title="Old", body="{{ constituent.nickname }}")
    row = caseworker_client.get("/letters/paragraphs/picker", {"format": "json"}).json()["paragraphs"][0]
    assert row["text"] == ""
    assert "constituent.nickname" in row["error"]


# --- The manager's pages --------------------------------------------------------------------------
MANAGER_PAGES = ["/letters/templates", "/letters/templates/add", "/letters/paragraphs", "/letters/paragraphs/add"]
MANAGER_PAGES += ["/letters/letterhead", "/letters/letterhead/sample"]


@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_manager_pages_refuse_caseworkers_mps_and_volunteers(path, caseworker_client, mp_client, volunteer_client):
    for client in (caseworker_client, mp_client, volunteer_client):
        assert client.get(path).status_code == 403
        assert client.post(path, {"name": "x", "body": "y", "mp_name": "z"}).status_code in (403, 405)
    assert not LetterTemplate.unscoped.exists()
    assert not Letterhead.unscoped.exists()


def test_the_mp_may_write_letters(mp_client, case):
    assert mp_client.get(f"/cases/{case.pk}/letter").status_code == 200
    assert mp_client.post(f"/cases/{case.pk}/letter", letter_post()).status_code == 302


def test_the_nav_links_managers_to_letters(manager_client, caseworker_client):
    assert 'href="/letters/templates"' in manager_client.get("/letters/templates").content.decode()
    assert 'href="/letters/templates"' not in caseworker_client.get("/cases").content.decode()


def test_a_template_with_an_unknown_field_is_refused_naming_it(manager_client, office):
    body = "Dear {{ constituent.fullname }}, {{ settings.SECRET_KEY }}"
    response = manager_client.post("/letters/templates/add", {"name": "T", "addressee": "constituent", "body": body})
    page = response.content.decode()
    assert response.status_code == 200
    assert "{{ constituent.fullname }} (did you mean {{ constituent.full_name }}?)" in page
    assert "{{ settings.SECRET_KEY }}" in page
    assert not LetterTemplate.objects.for_office(office).exists()


def test_a_manager_adds_and_edits_a_template(manager_client, office):
    data = {"name": "Ack", "addressee": "constituent", "body": "Dear {{ constituent.salutation }},", "is_active": "on"}
    assert manager_client.post("/letters/templates/add", data).status_code == 302
    template = LetterTemplate.objects.for_office(office).get()
    assert template.body == "Dear {{ constituent.salutation }},"
    duplicate = manager_client.post("/letters/templates/add", data | {"name": "ack"})
    assert "already a template called" in duplicate.content.decode()
    response = manager_client.post(
        f"/letters/templates/{template.pk}", data | {"name": "Acknowledgement", "is_active": ""}
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.is_active) == ("Acknowledgement", False)
    event = AuditEvent.objects.filter(verb="correspondence.lettertemplate.updated").get()
    assert set(event.fields) == {"name", "is_active"}
    page = manager_client.get(f"/letters/templates/{template.pk}").content.decode()
    assert "{{ constituent.salutation }}" in page
    assert "Merge fields" in page


def test_a_manager_adds_and_edits_a_paragraph(manager_client, office):
    data = {"title": "Waiting", "category": "Updates", "shortcut": "waiting", "body": "We wait.", "is_active": "on"}
    assert manager_client.post("/letters/paragraphs/add", data).status_code == 302
    paragraph = StandardParagraph.objects.for_office(office).get()
    clash = manager_client.post("/letters/paragraphs/add", data | {"title": "Other"})
    assert "already has the shortcut" in clash.content.decode()
    bad = manager_client.post(f"/letters/paragraphs/{paragraph.pk}", data | {"body": "{{ constituent.__dict__ }}"})
    assert "{{ constituent.__dict__ }}" in bad.content.decode()
    assert (
        manager_client.post(f"/letters/paragraphs/{paragraph.pk}", data | {"body": "Still waiting."}).status_code == 302
    )
    paragraph.refresh_from_db()
    assert paragraph.body == "Still waiting."


def test_a_manager_sets_the_letterhead_with_pictures(manager_client, office, caseworker_client):
    data = {"mp_name": "Alex Example MP", "mp_title": "MP for Northtown", "constituency": "Northtown", "address": "A"}
    data |= {"contact": "", "footer": "Small print", "logo": demo_logo(), "signature": demo_signature()}
    response = manager_client.post("/letters/letterhead", data)
    assert response.status_code == 302
    letterhead = Letterhead.objects.for_office(office).get()
    assert letterhead.logo
    assert letterhead.signature
    assert letterhead.footer == "Small print"
    logo = caseworker_client.get("/letters/letterhead/logo")
    assert logo["Content-Type"] == "image/jpeg", "kept as the JPEG that is printed"
    assert b"".join(logo.streaming_content).startswith(b"\xff\xd8\xff")
    sample = manager_client.get("/letters/letterhead/sample")
    assert sample["Content-Type"] == "application/pdf"
    pdf = b"".join(sample.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    assert b"Alex Example MP" in text
    assert b"Ms Sharma" in text
    removed = manager_client.post("/letters/letterhead", data | {"logo": "", "signature": "", "remove_logo": "on"})
    assert removed.status_code == 302
    letterhead.refresh_from_db()
    assert not letterhead.logo
    assert letterhead.signature
    assert caseworker_client.get("/letters/letterhead/logo").status_code == 404


def test_a_bad_picture_is_a_form_error(manager_client, office):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"mp_name": "A", "logo": SimpleUploadedFile("x.png", b"GIF89a....")}
    response = manager_client.post("/letters/letterhead", data)
    assert response.status_code == 200
    assert "PNG or JPEG" in response.content.decode()
    assert not Letterhead.objects.for_office(office).exists()


def test_list_pages_take_a_fixed_number_of_queries(manager_client, office, manager, django_assert_max_num_queries):
    for n in range(30):
        letters.template_save(office=office, actor=manager, name=f"Template {n}", addressee="constituent", body="x")
        letters.paragraph_save(
            office=office, actor=manager, title=f"Paragraph {n}", category=f"C{n % 4}", shortcut=f"p{n}", body="y"
        )
    with django_assert_max_num_queries(12):
        assert manager_client.get("/letters/templates").status_code == 200
    with django_assert_max_num_queries(12):
        assert manager_client.get("/letters/paragraphs").status_code == 200


def test_the_editor_and_picker_take_a_fixed_number_of_queries(
    caseworker_client, office, manager, case, template, django_assert_max_num_queries
):
    for n in range(30):
        letters.paragraph_save(office=office, actor=manager, title=f"P{n}", body="{{ case.reference }} {{ mp.name }}")
    with django_assert_max_num_queries(20):
        assert caseworker_client.get(f"/cases/{case.pk}/letter", {"template": template.pk}).status_code == 200
    with django_assert_max_num_queries(12):
        assert caseworker_client.get("/letters/paragraphs/picker", {"case": case.pk}).status_code == 200


# --- Whatever is sent, no 500 ---------------------------------------------------------------------
anything = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", "\x00", "{{", "{{ settings.SECRET_KEY }}", "{% debug %}", "a\n" * 20, "x" * 3000]
)
FUZZ = hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(values=st.lists(anything, min_size=6, max_size=6))
def test_the_preview_and_save_never_crash(caseworker_client, case, values):
    names = ("addressee", "organisation", "address", "their_reference", "subject", "body")
    data = dict(zip(names, values, strict=True))
    preview = caseworker_client.post(f"/cases/{case.pk}/letter/preview", data, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert caseworker_client.post(f"/cases/{case.pk}/letter", data).status_code in (200, 302)


@FUZZ
@given(values=st.lists(anything, min_size=3, max_size=3))
def test_the_template_form_never_crashes(manager_client, values):
    data = dict(zip(("name", "addressee", "body"), values, strict=True))
    assert manager_client.post("/letters/templates/add", data).status_code in (200, 302)


def test_an_address_line_too_long_for_the_window_is_refused(caseworker_client, case):
    long_line = "Personal Independence Payment Department for Work"
    response = caseworker_client.post(f"/cases/{case.pk}/letter", letter_post(address=f"{long_line}\nNT1 1AA"))
    assert "split a long line in two" in response.content.decode()
    assert not Message.objects.for_office(case.office).exists()
