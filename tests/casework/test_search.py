import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services
from constituents import services as constituent_services
from tests.factories import ConstituentFactory


@pytest.fixture
def people(office, caseworker, vocabulary):
    jane = constituent_services.constituent_create(
        office=office,
        actor=caseworker,
        first_name="Jane",
        last_name="Okonkwo",
        postcode="LS1 4AP",
        email="jane.okonkwo@example.com",
        phone="0113 496 0000",
    )
    constituent_services.representative_create(
        constituent=jane,
        actor=caseworker,
        name="Marcus Bellweather",
        relationship="advocate",
        organisation_name="Citizens Advice Leeds",
    )
    other = constituent_services.constituent_create(
        office=office, actor=caseworker, first_name="Tom", last_name="Baker"
    )
    damp = services.case_open(
        office=office,
        constituent=jane,
        opened_by=caseworker,
        summary="Damp and mould in the flat",
        description="Housing association has not repaired the leaking roof.",
    )
    services.case_add_note(case=damp, actor=caseworker, text="Spoke to the landlord about mould treatment.")
    visa = services.case_open(office=office, constituent=other, opened_by=caseworker, summary="Spouse visa delayed")
    return {"jane": jane, "other": other, "damp": damp, "visa": visa}


def _results(client, q):
    response = client.get("/search", {"q": q})
    assert response.status_code == 200
    return {provider.key: [hit.title for hit in hits] for provider, hits in response.context["results"]}


def test_it_finds_a_case_by_its_words_stemmed(caseworker_client, people):
    titles = _results(caseworker_client, "moulds repairs")["cases"]
    assert titles
    assert titles[0].endswith("Damp and mould in the flat")


def test_it_finds_a_case_by_a_note(caseworker_client, people):
    assert any("Damp" in t for t in _results(caseworker_client, "landlord treatment")["cases"])


def test_an_exact_reference_ranks_first(caseworker_client, people):
    assert _results(caseworker_client, people["visa"].reference)["cases"][0].startswith(people["visa"].reference)


@pytest.mark.parametrize(
    "query", ["okonkwo", "Okonkow", "jane.okonkwo@example.com", "ls14ap", "0113 496 0000", "+441134960000"]
)
def test_it_finds_a_constituent_by_name_misspelling_email_postcode_or_phone(caseworker_client, people, query):
    assert _results(caseworker_client, query)["constituents"] == ["Jane Okonkwo"]


def test_it_finds_people_acting_for_constituents(caseworker_client, people):
    assert _results(caseworker_client, "citizens advice")["representatives"] == ["Marcus Bellweather"]


def test_it_never_shows_another_offices_rows(caseworker_client, people, other_office, bob):
    theirs = ConstituentFactory(office=other_office, last_name="Okonkwo")
    services.case_open(office=other_office, constituent=theirs, opened_by=bob, summary="Damp and mould elsewhere")
    results = _results(caseworker_client, "okonkwo mould")
    assert len(_results(caseworker_client, "okonkwo")["constituents"]) == 1
    assert all("elsewhere" not in title for title in results["cases"])


def test_restricted_cases_are_found_only_by_those_allowed(people, office, manager, volunteer_client, manager_client):
    services.case_update(case=people["visa"], actor=manager, version=people["visa"].version, restricted=True)
    assert _results(volunteer_client, "spouse visa")["cases"] == []
    assert len(_results(manager_client, "spouse visa")["cases"]) == 1


def test_a_long_query_is_searched_in_part_and_the_page_says_so(caseworker_client, people):
    response = caseworker_client.get("/search", {"q": "mould " * 2000})
    assert response.status_code == 200
    assert "Only the first 200 characters were searched." in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(max_size=300)
    | st.sampled_from(["'", '"', "a & b | !c", "(((", "' OR 1=1 --", "\x00", "🙂" * 50, "-", "*:"])
)
def test_any_query_returns_a_page(caseworker_client, people, query):
    assert caseworker_client.get("/search", {"q": query}).status_code == 200


def test_the_search_page_is_within_a_query_budget(caseworker_client, people, django_assert_max_num_queries):
    # One query per provider (cases, constituents, representatives, messages), two for exact
    # contact matches, plus the request's own.
    with django_assert_max_num_queries(15):
        caseworker_client.get("/search", {"q": "okonkwo"})
