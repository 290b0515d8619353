"""Constituents and organisations through the API."""

from __future__ import annotations

import pytest

from constituents import services as constituent_services
from constituents.models import Constituent
from security.models import AuditEvent
from tests.factories import ConstituentFactory, OrganisationFactory


def test_it_searches_like_the_constituent_list(read_client, office):
    jane = constituent_services.constituent_create(
        office=office, actor=None, first_name="Jane", last_name="Okafor", postcode="NT1 1AA", email="jane@example.org"
    )
    constituent_services.constituent_create(office=office, actor=None, first_name="Tom", last_name="Brown")

    def names(query):
        response = read_client.get("/api/v1/constituents", {"q": query})
        assert response.status_code == 200
        return [row["last_name"] for row in response.json()["results"]]

    assert names("") == ["Brown", "Okafor"]
    assert names("okafor") == ["Okafor"]
    assert names("nt1 1aa") == ["Okafor"]
    assert names("jane@example") == ["Okafor"]
    body = read_client.get(f"/api/v1/constituents/{jane.pk}").json()
    assert body["emails"] == [{"email": "jane@example.org", "is_preferred": True}]
    assert body["postcode"] == "NT1 1AA"


@pytest.mark.parametrize("query", ['"Jane', "'; DROP TABLE constituents_constituent; --", "x" * 10_000, "👩‍👧", "\x00"])
def test_any_search_text_answers_a_page(read_client, office, query):
    ConstituentFactory(office=office)
    response = read_client.get("/api/v1/constituents", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_every_constituent_shown_is_audited_as_viewed(read_client, office):
    people = [ConstituentFactory(office=office) for _ in range(3)]
    read_client.get("/api/v1/constituents")
    viewed = AuditEvent.objects.filter(verb="constituents.constituent.viewed", actor_kind="api_token")
    assert sorted(viewed.values_list("object_id", flat=True)) == sorted(str(p.pk) for p in people)


def test_it_creates_a_constituent_with_contact_details(write_client, office):
    response = write_client.post(
        "/api/v1/constituents",
        {
            "first_name": "Amira",
            "last_name": "Haddad",
            "postcode": " nt1  1ab ",
            "email": "Amira@Example.org",
            "phone": "07911 123456",
            "phone_label": "mobile",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["postcode"], body["full_name"]) == ("NT1 1AB", "Amira Haddad")
    assert body["emails"] == [{"email": "amira@example.org", "is_preferred": True}]
    assert body["phones"] == [{"number": "+447911123456", "label": "mobile", "is_preferred": True}]
    event = AuditEvent.objects.get(verb="constituents.constituent.created")
    assert event.actor_kind == "api_token"
    assert "email" in event.fields


def test_creating_says_what_is_wrong(write_client):
    response = write_client.post(
        "/api/v1/constituents",
        {"last_name": "", "postcode": "nowhere", "email": "not-an-email", "date_of_birth": "2999-01-01"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["last_name"] == ["This field may not be blank."]
    assert "is not a UK postcode" in error["fields"]["postcode"][0]
    assert "is not an email address" in error["fields"]["email"][0]
    assert error["fields"]["date_of_birth"] == ["A date of birth cannot be in the future."]
    assert not Constituent.unscoped.exists()


def test_a_likely_duplicate_is_a_409_unless_told_to_create_anyway(write_client, office):
    existing = constituent_services.constituent_create(
        office=office, actor=None, last_name="Okafor", email="jane@example.org"
    )
    body = {"first_name": "J", "last_name": "Okafor", "email": "jane@example.org"}
    response = write_client.post("/api/v1/constituents", body)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert str(existing.pk) in error["message"]
    response = write_client.post("/api/v1/constituents", body | {"create_anyway": True})
    assert response.status_code == 201
    assert Constituent.objects.for_office(office).count() == 2


def test_it_updates_details_and_places_the_postcode(write_client, constituent):
    response = write_client.patch(
        f"/api/v1/constituents/{constituent.pk}",
        {"town": "Southtown", "postcode": "sw1a1aa", "consents_to_updates": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["town"], body["postcode"], body["consents_to_updates"]) == ("Southtown", "SW1A 1AA", True)
    assert body["consent_recorded_at"] is not None
    response = write_client.patch(f"/api/v1/constituents/{constituent.pk}", {"last_name": ""})
    assert response.status_code == 400


def test_representatives_are_shown_with_their_authority(read_client, constituent):
    constituent_services.representative_create(
        constituent=constituent, actor=None, name="Ada Smith", relationship="relative", authority="written_consent"
    )
    body = read_client.get(f"/api/v1/constituents/{constituent.pk}").json()
    [person] = body["representatives"]
    assert (person["name"], person["relationship"], person["authority"]) == ("Ada Smith", "relative", "written_consent")


def test_organisations_list_and_detail(read_client, office):
    council = OrganisationFactory(office=office, name="Northtown Council", kind="council")
    OrganisationFactory(office=office, name="Home Office", kind="government")
    gone = OrganisationFactory(office=office, name="Old Agency", kind="agency", is_active=False)

    def names(**params):
        return [row["name"] for row in read_client.get("/api/v1/organisations", params).json()["results"]]

    assert names() == ["Home Office", "Northtown Council"]
    assert names(kind="council") == ["Northtown Council"]
    assert names(q="home") == ["Home Office"]
    assert names(include_inactive="true") == ["Home Office", "Northtown Council", "Old Agency"]
    response = read_client.get("/api/v1/organisations", {"kind": "pub"})
    assert response.status_code == 400
    body = read_client.get(f"/api/v1/organisations/{council.pk}").json()
    assert (body["name"], body["kind"], body["is_active"]) == ("Northtown Council", "council", True)
    assert read_client.get(f"/api/v1/organisations/{gone.pk}").json()["is_active"] is False
