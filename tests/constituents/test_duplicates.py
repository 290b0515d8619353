"""Possible duplicates: on the create form, on the record, and in the manager's review list."""

from constituents import selectors, services
from constituents.models import Constituent
from tests.factories import ConstituentFactory


def _create(office, actor, **fields):
    return services.constituent_create(office=office, actor=actor, **fields)


def _find(office, **fields):
    defaults = {"first_name": "", "last_name": "", "postcode": "", "emails": [], "phones": []}
    return selectors.possible_duplicates(office=office, **(defaults | fields))


def test_it_finds_the_same_email_or_phone_in_any_form(office, caseworker):
    person = _create(office, caseworker, last_name="Ahmed", email="sara@example.com", phone="0113 496 0001")
    (by_email,) = _find(office, last_name="Other", emails=[" SARA@example.com "])
    (by_phone,) = _find(office, last_name="Other", phones=["+44 113 496 0001", "not a number"])
    assert by_email == by_phone == person
    assert by_email.duplicate_reasons == ["same email"]
    assert by_phone.duplicate_reasons == ["same phone"]


def test_it_finds_a_similar_name_at_the_same_postcode_by_trigrams(office, caseworker):
    katherine = _create(office, caseworker, first_name="Katherine", last_name="O'Neill", postcode="NT1 1AA")
    _create(office, caseworker, first_name="John", last_name="Smith", postcode="NT1 1AA")
    _create(office, caseworker, first_name="Kathryn", last_name="O'Neill", postcode="NT2 2BB")
    found = _find(office, first_name="Kathryn", last_name="O'Neill", postcode="nt1 1aa")
    assert found == [katherine]
    assert found[0].duplicate_reasons == ["similar name, same postcode"]
    # "Jane Smith" is not similar enough to "John Smith" (trigram similarity 0.47).
    assert _find(office, first_name="Jane", last_name="Smith", postcode="NT1 1AA") == []


def test_it_excludes_the_record_itself_and_other_offices(office, other_office, caseworker, bob):
    person = _create(office, caseworker, last_name="Ahmed", email="sara@example.com")
    _create(other_office, bob, last_name="Ahmed", email="sara@example.com")
    assert _find(office, last_name="Ahmed", emails=["sara@example.com"]) == [person]
    assert _find(office, last_name="Ahmed", emails=["sara@example.com"], exclude_id=person.pk) == []


def test_bad_inputs_find_nothing_rather_than_fail(office):
    assert _find(office, first_name="\x00", last_name="", postcode="not a postcode", phones=["??"]) == []
    assert _find(office, first_name="\x00", last_name="A\x00", postcode="NT1 1AA", emails=["\x00"]) == []


def test_the_review_list_pairs_records_once_with_all_their_reasons(office, caseworker):
    first = _create(
        office, caseworker, first_name="Sarah", last_name="Ahmed", postcode="EY1 1HJ", email="s@example.com"
    )
    second = _create(
        office, caseworker, first_name="Sara", last_name="Ahmed", postcode="EY1 1HJ", email="s@example.com"
    )
    by_phone = [_create(office, caseworker, last_name=name, phone="0113 496 0009") for name in ("Brown", "Green")]
    ConstituentFactory(office=office, last_name="Unrelated", postcode="EY1 1HJ")
    pairs = selectors.duplicate_pairs(office=office)
    assert pairs.count() == 2
    newest, older = pairs[0:10]
    assert (newest.first, newest.second, newest.reasons) == (*by_phone, ["same phone"])
    assert (older.first, older.second) == (first, second)
    assert older.reasons == ["same email", "similar name, same postcode"]


def test_a_dismissed_pair_leaves_the_review_list(office, manager, caseworker):
    first = _create(office, caseworker, last_name="Brown", phone="0113 496 0009")
    second = _create(office, caseworker, last_name="Green", phone="0113 496 0009")
    services.duplicate_dismiss(office=office, first=second, second=first, actor=manager)
    services.duplicate_dismiss(office=office, first=first, second=second, actor=manager)  # idempotent
    assert selectors.duplicate_pairs(office=office).count() == 0


def test_the_create_form_shows_duplicates_and_needs_create_anyway(office, caseworker, caseworker_client):
    existing = _create(office, caseworker, first_name="Sarah", last_name="Ahmed", email="sarah@example.com")
    data = {"first_name": "Sarah", "last_name": "Ahmed", "email": "Sarah@Example.com", "in_constituency": "unknown"}
    data["preferred_contact"] = "email"
    response = caseworker_client.post("/constituents/new", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The office may already have this person" in page
    assert f'href="/constituents/{existing.pk}"' in page
    assert "same email" in page
    assert Constituent.objects.for_office(office).count() == 1
    created = caseworker_client.post("/constituents/new", data | {"create_anyway": "on"})
    assert created.status_code == 302
    assert Constituent.objects.for_office(office).count() == 2


def test_a_manager_sees_possible_duplicates_on_the_record(office, caseworker, manager_client, caseworker_client):
    first = _create(office, caseworker, last_name="Brown", phone="0113 496 0009")
    second = _create(office, caseworker, last_name="Green", phone="0113 496 0009")
    page = manager_client.get(f"/constituents/{first.pk}").content.decode()
    assert f"/constituents/{first.pk}/merge/{second.pk}" in page
    assert "/merge/" not in caseworker_client.get(f"/constituents/{first.pk}").content.decode()


def test_the_review_page_lists_pairs_and_dismisses_them(office, caseworker, manager_client):
    first = _create(office, caseworker, last_name="Brown", phone="0113 496 0009")
    second = _create(office, caseworker, last_name="Green", phone="0113 496 0009")
    page = manager_client.get("/constituents/duplicates").content.decode()
    assert f"/constituents/{first.pk}/merge/{second.pk}" in page
    response = manager_client.post(f"/constituents/{first.pk}/not-duplicate/{second.pk}")
    assert response["Location"] == "/constituents/duplicates"
    assert "No possible duplicates" in manager_client.get("/constituents/duplicates").content.decode()


def test_the_constituent_form_works_inside_another_form_with_a_prefix(office, caseworker):
    from constituents.forms import ConstituentForm

    existing = _create(office, caseworker, first_name="Sarah", last_name="Ahmed", email="sarah@example.com")
    data = {"new-last_name": "Ahmed", "new-email": "sarah@example.com", "new-in_constituency": "unknown"}
    data["new-preferred_contact"] = "email"
    form = ConstituentForm(data, prefix="new", office=office)
    assert not form.is_valid()
    assert form.duplicates == [existing]
    assert "create_anyway" in form.errors
    unchecked = ConstituentForm(data, prefix="new", office=office, check_duplicates=False)
    assert unchecked.is_valid(), unchecked.errors
    person = services.constituent_create(office=office, actor=caseworker, **unchecked.create_kwargs())
    assert person.emails.get().email == "sarah@example.com"
