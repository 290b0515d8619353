"""The organisations directory pages: everyone with casework reads it, caseworkers keep it."""

import pytest

from constituents import services
from constituents.models import Organisation
from tests.factories import OrganisationFactory

VALID = {
    "name": "Northtown Borough Council",
    "kind": "council",
    "email": "MP.Enquiries@northtown.example",
    "postal_address": "Town Hall\nNorthtown",
    "hotline": "",
    "required_identifiers": "Council tax account number, Housing register number\nDate of birth\n\n",
    "requires_written_consent": "on",
    "reply_target": "10",
    "reply_target_unit": "working",
    "notes": "",
}


@pytest.mark.parametrize("client_name", ["caseworker_client", "manager_client", "mp_client"])
def test_caseworkers_add_edit_and_deactivate_organisations(request, office, client_name):
    client = request.getfixturevalue(client_name)
    response = client.post("/organisations/new", VALID)
    body = Organisation.objects.for_office(office).get()
    assert response["Location"] == f"/organisations/{body.pk}"
    assert body.required_identifiers == ["Council tax account number", "Housing register number", "Date of birth"]
    assert (body.email, body.requires_written_consent, body.reply_target) == (
        "mp.enquiries@northtown.example",
        True,
        10,
    )
    form = client.get(f"/organisations/{body.pk}/edit").content.decode()
    assert "Council tax account number\nHousing register number\nDate of birth" in form
    assert client.post(f"/organisations/{body.pk}/edit", VALID | {"reply_target": ""}).status_code == 302
    body.refresh_from_db()
    assert body.reply_target is None
    client.post(f"/organisations/{body.pk}/deactivate")
    body.refresh_from_db()
    assert not body.is_active
    assert list(client.get("/organisations").context["page"]) == []
    assert list(client.get("/organisations", {"inactive": "on"}).context["page"]) == [body]
    client.post(f"/organisations/{body.pk}/reactivate")
    body.refresh_from_db()
    assert body.is_active


def test_volunteers_read_the_directory_but_do_not_change_it(office, volunteer_client):
    body = OrganisationFactory(office=office, name="Eastley Homes", kind="housing")
    assert volunteer_client.get("/organisations").status_code == 200
    assert volunteer_client.get(f"/organisations/{body.pk}").status_code == 200
    assert volunteer_client.get("/organisations/new").status_code == 403
    assert volunteer_client.post(f"/organisations/{body.pk}/edit", VALID).status_code == 403
    assert volunteer_client.post(f"/organisations/{body.pk}/deactivate").status_code == 403
    assert "Add an organisation" not in volunteer_client.get("/organisations").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("kind", "spaceship", "Select a valid choice."),
        ("email", "enquiries", "is not an email address"),
        ("reply_target", "0", "greater than or equal to 1"),
        ("reply_target", "ten", "Enter a whole number."),
        ("required_identifiers", "x" * 150, "too long for one identifier"),
    ],
)
def test_bad_input_gets_a_field_error(office, caseworker_client, field, value, message):
    response = caseworker_client.post("/organisations/new", VALID | {field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.for_office(office).exists()


def test_a_duplicate_name_is_refused_with_a_message(office, caseworker_client):
    OrganisationFactory(office=office, name="Northtown Borough Council")
    response = caseworker_client.post("/organisations/new", VALID)
    assert "already has an organisation called" in response.content.decode()


def test_filter_by_kind_and_name(office, caseworker_client):
    OrganisationFactory(office=office, name="Northtown Borough Council", kind="council")
    OrganisationFactory(office=office, name="Northshire Police", kind="police")
    found = caseworker_client.get("/organisations", {"kind": "police"}).context["page"]
    assert [o.name for o in found] == ["Northshire Police"]
    found = caseworker_client.get("/organisations", {"q": "borough"}).context["page"]
    assert [o.name for o in found] == ["Northtown Borough Council"]
    assert caseworker_client.get("/organisations", {"kind": "nonsense", "q": "\x00"}).status_code == 200


def test_another_offices_organisation_is_404(other_office, caseworker_client):
    theirs = OrganisationFactory(office=other_office, name="Their Council")
    assert caseworker_client.get(f"/organisations/{theirs.pk}").status_code == 404
    assert caseworker_client.post(f"/organisations/{theirs.pk}/deactivate").status_code == 404
    assert "Their Council" not in caseworker_client.get("/organisations").content.decode()


def test_the_directory_costs_the_same_few_queries_for_thirty_full_rows(
    office, caseworker, caseworker_client, django_assert_max_num_queries
):
    for n in range(30):
        services.organisation_create(
            office=office,
            actor=caseworker,
            name=f"Body {n}",
            kind="agency",
            email=f"mp{n}@body.example",
            postal_address="1 Street\nTown",
            hotline="Account manager",
            required_identifiers=["Reference", "Date of birth"],
            requires_written_consent=True,
            reply_target=20,
            notes="Notes",
        )
    with django_assert_max_num_queries(13):
        response = caseworker_client.get("/organisations")
    assert len(response.context["page"]) == 30
