"""Constituent and representative pages: permissions per role, bad input, search, query counts."""

import pytest

from constituents import services
from constituents.models import Constituent, ConstituentEmail, Relationship, Representative
from security.models import AuditEvent
from tests.constituents.conftest import place
from tests.factories import ConstituentFactory

VALID = {
    "title": "Ms",
    "first_name": "Jane",
    "last_name": "Smith",
    "address_line1": "1 High Street",
    "town": "Northtown",
    "postcode": "nt1 1aa",
    "in_constituency": "unknown",
    "preferred_contact": "email",
    "email": "Jane@Example.com",
    "phone": "0113 496 0123",
    "phone_label": "mobile",
}


@pytest.fixture
def person(office, caseworker):
    return services.constituent_create(
        office=office, actor=caseworker, first_name="Jane", last_name="Smith", email="jane@example.com"
    )


@pytest.mark.parametrize("client_name", ["caseworker_client", "volunteer_client", "mp_client", "manager_client"])
def test_every_role_can_find_and_record_constituents(request, office, client_name):
    client = request.getfixturevalue(client_name)
    place(office, "NT1 1AA")
    response = client.post("/constituents/new", VALID)
    assert response.status_code == 302
    person = Constituent.objects.for_office(office).get()
    assert response["Location"] == f"/constituents/{person.pk}"
    assert (person.postcode, person.in_constituency, person.ward.name) == ("NT1 1AA", "yes", "Central")
    assert client.get("/constituents", {"q": "smith"}).status_code == 200
    page = client.get(f"/constituents/{person.pk}").content.decode()
    assert "jane@example.com" in page
    assert "0113 496 0123" in page


def test_viewing_a_constituent_is_audited(office, person, caseworker, caseworker_client):
    caseworker_client.get(f"/constituents/{person.pk}")
    event = AuditEvent.objects.get(verb="constituents.constituent.viewed")
    assert (event.actor, event.object_id) == (caseworker, str(person.pk))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "SW1A", "is not a UK postcode. It should look like SW1A 1AA."),
        ("email", "jane.example.com", "is not an email address: it needs an @"),
        ("email", "jane@", "is not a valid email address"),
        ("phone", "0113 496", "check the number of digits"),
        ("phone", "ring me", "is not a phone number"),
        ("last_name", "", "This field is required."),
        ("date_of_birth", "2999-01-01", "A date of birth cannot be in the future."),
        ("date_of_birth", "yesterday", "Enter a valid date."),
        ("in_constituency", "maybe", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_field_error_not_a_crash(office, caseworker_client, field, value, message):
    response = caseworker_client.post("/constituents/new", VALID | {field: value})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert field in response.context["form"].errors
    assert not Constituent.objects.for_office(office).exists()


def test_an_empty_form_is_shown_again_with_errors(caseworker_client):
    response = caseworker_client.post("/constituents/new", {})
    assert response.status_code == 200
    assert "last_name" in response.context["form"].errors


def test_search_finds_by_name_postcode_email_and_phone(office, caseworker, caseworker_client):
    jane = services.constituent_create(
        office=office,
        actor=caseworker,
        first_name="Jane",
        last_name="Smith",
        postcode="NT1 1AA",
        email="jane.s@example.com",
        phone="0113 496 0123",
    )
    ConstituentFactory(office=office, first_name="Bob", last_name="Jones", postcode="EY1 1HJ")
    for query in ("jane smith", "SMITH", "nt11aa", "NT1", "jane.s@example", "0113 496 0123", "4960123"):
        found = list(caseworker_client.get("/constituents", {"q": query}).context["page"])
        assert found == [jane], query


def test_search_answers_htmx_with_the_results_only(office, person, caseworker_client):
    response = caseworker_client.get("/constituents", {"q": "smith"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "1 result for “smith”" in body


@pytest.mark.parametrize("query", ["\x00", "%", "_", "a" * 500, "' OR 1=1 --"])
def test_odd_searches_never_crash(person, caseworker_client, query):
    assert caseworker_client.get("/constituents", {"q": query, "page": "x"}).status_code == 200


def test_editing_a_constituent(office, person, caseworker, caseworker_client):
    place(office, "EY1 1HJ", code="E05000002", name="East", inside=False)
    data = VALID | {"postcode": "ey11hj", "notes": "Deaf: prefers email."}
    response = caseworker_client.post(f"/constituents/{person.pk}/edit", data)
    assert response["Location"] == f"/constituents/{person.pk}"
    person.refresh_from_db()
    assert (person.postcode, person.ward.name, person.in_constituency) == ("EY1 1HJ", "East", "no")
    assert caseworker_client.post(f"/constituents/{person.pk}/edit", {}).status_code == 200


def test_emails_and_phones_are_managed_from_the_record(office, person, caseworker_client):
    url = f"/constituents/{person.pk}"
    bad = caseworker_client.post(f"{url}/emails", {"email": "nope"})
    assert bad.status_code == 200
    assert "is not an email address" in bad.content.decode()
    assert caseworker_client.post(f"{url}/emails", {"email": "work@example.com", "preferred": "on"}).status_code == 302
    duplicate = caseworker_client.post(f"{url}/emails", {"email": "WORK@example.com"})
    assert "already one of their email addresses" in duplicate.content.decode()
    work = ConstituentEmail.objects.for_office(office).get(email="work@example.com")
    assert work.is_preferred
    home = ConstituentEmail.objects.for_office(office).get(email="jane@example.com")
    caseworker_client.post(f"/constituents/emails/{home.pk}/preferred")
    caseworker_client.post(f"/constituents/emails/{work.pk}/remove")
    assert list(person.emails.values_list("email", "is_preferred")) == [("jane@example.com", True)]
    assert caseworker_client.post(f"{url}/phones", {"number": "12"}).status_code == 200
    caseworker_client.post(f"{url}/phones", {"number": "0161 496 0001", "label": "home"})
    phone = person.phones.get()
    assert (phone.number, phone.is_preferred) == ("+441614960001", True)
    caseworker_client.post(f"/constituents/phones/{phone.pk}/remove")
    assert not person.phones.exists()


def test_people_acting_for_a_constituent(office, person, volunteer_client):
    url = f"/constituents/{person.pk}/representatives/new"
    assert volunteer_client.get(url).status_code == 200
    assert volunteer_client.post(url, {"name": "Helen", "relationship": "relative", "phone": "12"}).status_code == 200
    data = {"name": "Helen Carter", "relationship": "relative", "authority": "power_of_attorney"}
    assert volunteer_client.post(url, data)["Location"] == f"/constituents/{person.pk}"
    helper = Representative.objects.for_office(office).get()
    assert helper.authority_recorded_at is not None
    page = volunteer_client.get(f"/constituents/{person.pk}").content.decode()
    assert "Helen Carter" in page
    assert "Lasting power of attorney" in page
    edit = f"/constituents/representatives/{helper.pk}/edit"
    data |= {"relationship": "carer", "authority_recorded_at": "2026-01-05T09:30"}
    assert volunteer_client.post(edit, data).status_code == 302
    helper.refresh_from_db()
    assert (helper.relationship, helper.authority_recorded_at.date().isoformat()) == ("carer", "2026-01-05")
    volunteer_client.post(f"/constituents/representatives/{helper.pk}/remove")
    assert not Representative.objects.for_office(office).exists()


def test_another_offices_records_are_404(other_office, bob, caseworker_client):
    theirs = services.constituent_create(office=other_office, actor=bob, last_name="Secret", email="s@example.com")
    helper = services.representative_create(
        constituent=theirs, actor=bob, name="Helper", relationship=Relationship.RELATIVE
    )
    email = theirs.emails.get()
    for url in (
        f"/constituents/{theirs.pk}",
        f"/constituents/{theirs.pk}/edit",
        f"/constituents/{theirs.pk}/representatives/new",
        f"/constituents/representatives/{helper.pk}/edit",
    ):
        assert caseworker_client.get(url).status_code == 404, url
    for url in (f"/constituents/emails/{email.pk}/remove", f"/constituents/{theirs.pk}/emails"):
        assert caseworker_client.post(url, {"email": "x@example.com"}).status_code == 404, url
    assert not caseworker_client.get("/constituents", {"q": "Secret"}).context["page"].object_list
    assert theirs.emails.exists()


def test_a_signed_out_visitor_sees_nothing(client, person):
    response = client.get(f"/constituents/{person.pk}")
    assert response.status_code == 302
    assert "Smith" not in response.content.decode()


def _populate(office, actor, count):
    place(office, "NT1 1AA")
    for n in range(count):
        person = services.constituent_create(
            office=office,
            actor=actor,
            title="Dr",
            first_name=f"Person{n}",
            last_name=f"Surname{n}",
            address_line1=f"{n} High Street",
            town="Northtown",
            postcode="NT1 1AA",
            notes="Notes",
            email=f"p{n}@example.com",
            phone=f"0113 496 0{n:03d}",
        )
        services.constituent_email_add(constituent=person, actor=actor, email=f"second{n}@example.com")
        services.constituent_phone_add(constituent=person, actor=actor, number=f"0161 496 0{n:03d}")
        services.representative_create(constituent=person, actor=actor, name="Rep", relationship="relative")


def test_the_list_costs_the_same_few_queries_for_thirty_full_rows(
    office, caseworker, caseworker_client, django_assert_max_num_queries
):
    _populate(office, caseworker, 30)
    # The page shell (session, user, device, membership, header badge) costs about ten of these;
    # the list itself two (a count and the page, with the preferred email and phone as subqueries).
    with django_assert_max_num_queries(13):
        response = caseworker_client.get("/constituents")
    assert len(response.context["page"]) == 25
    assert "p0@example.com" in response.content.decode()
    with django_assert_max_num_queries(13):
        caseworker_client.get("/constituents", {"q": "surname1"})


def test_the_record_page_costs_a_fixed_number_of_queries(
    office, caseworker, manager_client, django_assert_max_num_queries
):
    _populate(office, caseworker, 3)
    person = Constituent.objects.for_office(office).first()
    # 20 for the record and its cases, one more for the recent messages section.
    with django_assert_max_num_queries(21):
        response = manager_client.get(f"/constituents/{person.pk}")
    assert response.status_code == 200


def test_a_postcode_typed_with_extra_spaces_is_normalised(office, caseworker_client):
    assert caseworker_client.post("/constituents/new", VALID | {"postcode": "  nt1   1aa  "}).status_code == 302
    assert Constituent.objects.for_office(office).get().postcode == "NT1 1AA"
