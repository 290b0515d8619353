"""No constituent or directory form answers 500, whatever it is sent."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ConstituentFactory

anything = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(["", "\x00", "a" * 3000, "NT1 1AA"])
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CONSTITUENT_FIELDS = ("first_name", "last_name", "postcode", "email", "phone", "date_of_birth", "in_constituency")


@FUZZ
@given(values=st.lists(anything, min_size=7, max_size=7))
def test_the_constituent_form_never_crashes(volunteer_client, values):
    data = dict(zip(CONSTITUENT_FIELDS, values, strict=True)) | {"preferred_contact": "email"}
    assert volunteer_client.post("/constituents/new", data).status_code in (200, 302)


@FUZZ
@given(email=anything, number=anything, query=anything)
def test_contact_details_and_search_never_crash(office, caseworker_client, email, number, query):
    person = ConstituentFactory(office=office)
    assert caseworker_client.post(f"/constituents/{person.pk}/emails", {"email": email}).status_code in (200, 302)
    assert caseworker_client.post(f"/constituents/{person.pk}/phones", {"number": number}).status_code in (200, 302)
    assert caseworker_client.get("/constituents", {"q": query}).status_code == 200


@FUZZ
@given(values=st.lists(anything, min_size=5, max_size=5))
def test_the_representative_form_never_crashes(office, caseworker_client, values):
    person = ConstituentFactory(office=office)
    names = ("name", "relationship", "email", "phone", "authority_recorded_at")
    data = dict(zip(names, values, strict=True)) | {"authority": "not_yet"}
    response = caseworker_client.post(f"/constituents/{person.pk}/representatives/new", data)
    assert response.status_code in (200, 302)


@FUZZ
@given(values=st.lists(anything, min_size=5, max_size=5))
def test_the_organisation_form_never_crashes(caseworker_client, values):
    names = ("name", "kind", "email", "required_identifiers", "reply_target")
    data = dict(zip(names, values, strict=True)) | {"reply_target_unit": "working"}
    assert caseworker_client.post("/organisations/new", data).status_code in (200, 302)
