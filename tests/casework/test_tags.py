import pytest

from casework import services
from casework.models import Case, Tag
from casework.vocabulary import vocabulary_size
from security import services as security_services
from security.errors import DomainError


def test_a_new_office_gets_the_default_vocabulary(db):
    office, _, _ = security_services.office_create(
        name="Office C",
        constituency="C",
        slug="office-c",
        mp_name="C MP",
        manager_email="m@c.example",
        manager_name="M",
    )
    assert Tag.objects.for_office(office).count() == vocabulary_size()
    services.office_initialise(office)  # idempotent
    assert Tag.objects.for_office(office).count() == vocabulary_size()


def test_tag_names_are_unique_per_office_not_globally(office, other_office, vocabulary):
    services.office_initialise(other_office)
    assert Tag.objects.for_office(other_office).filter(name="Universal Credit").exists()
    assert Tag.objects.for_office(office).filter(name="Universal Credit").exists()


def test_names_never_create_tags(case, caseworker):
    with pytest.raises(TypeError, match="never names"):
        case.tags.add("Brand new tag")
    with pytest.raises(DomainError, match="chosen from the vocabulary"):
        services.case_set_tags(case=case, actor=caseworker, tags=["Brand new tag"])
    assert not Tag.unscoped.filter(name="Brand new tag").exists()


def test_no_path_creates_a_tag_as_a_side_effect(case, office, caseworker_client, manager_client, vocabulary):
    before = Tag.unscoped.count()
    name = "Invented by a caseworker"
    caseworker_client.post(f"/cases/{case.pk}/tags", {"tags": [name]})
    caseworker_client.post("/cases/new", {"constituent": case.constituent_id, "summary": "x", "tags": [name]})
    caseworker_client.get("/tags/search", {"q": name, "tags": [name]})
    caseworker_client.get("/cases", {"tag": name})
    manager_client.post(f"/tags/{vocabulary['Homelessness'].pk}/merge", {"target": name})
    assert Tag.unscoped.count() == before
    assert not Tag.unscoped.filter(name=name).exists()


def test_a_retired_tag_cannot_be_chosen_and_the_error_names_it(case, caseworker, caseworker_client, vocabulary):
    retired = vocabulary["Homelessness"]
    services.tag_set_active(tag=retired, actor=caseworker, active=False)
    with pytest.raises(DomainError, match="Homelessness"):
        services.case_set_tags(case=case, actor=caseworker, tags=[retired])
    response = caseworker_client.post(f"/cases/{case.pk}/tags", {"tags": [retired.pk]})
    assert "These tags are retired: Homelessness" in response.content.decode()


def test_an_unknown_tag_id_is_refused_clearly(case, caseworker_client):
    response = caseworker_client.post(f"/cases/{case.pk}/tags", {"tags": ["999999"]})
    assert "is not an active tag" in response.content.decode()


def test_another_offices_tag_cannot_be_used(case, caseworker, other_office):
    services.office_initialise(other_office)
    theirs = Tag.objects.for_office(other_office).first()
    with pytest.raises(ValueError, match="another office"):
        services.case_set_tags(case=case, actor=caseworker, tags=[theirs])


def test_merging_retags_every_case(office, case, manager, vocabulary, constituent):
    source, target = vocabulary["Legacy benefits"], vocabulary["Universal Credit"]
    second = services.case_open(office=office, constituent=constituent, opened_by=manager, summary="ESA", tags=[source])
    services.case_set_tags(case=case, actor=manager, tags=[vocabulary["Universal Credit"], source])
    moved = services.tag_merge(source=source, target=target, actor=manager)
    assert moved == 1
    assert not Tag.unscoped.filter(pk=source.pk).exists()
    assert list(second.tags.all()) == [target]
    assert list(case.tags.all()) == [target]
    target.refresh_from_db()
    assert "Legacy benefits" in target.synonyms


def test_the_typeahead_matches_synonyms(caseworker_client, vocabulary):
    response = caseworker_client.get("/tags/search", {"q": "ehcp"})
    body = response.content.decode()
    assert "SEND and EHCPs" in body
    assert "Universal Credit" not in body


def test_the_typeahead_keeps_hidden_choices(caseworker_client, vocabulary):
    chosen = vocabulary["Universal Credit"].pk
    body = caseworker_client.get("/tags/search", {"q": "ehcp", "tags": [chosen]}).content.decode()
    assert f'<input type="hidden" name="tags" value="{chosen}">' in body


def test_managers_govern_the_vocabulary(manager_client, vocabulary, office):
    category = vocabulary["Homelessness"].category
    manager_client.post("/tags", {"tag-name": "", "name": "Rough sleeping", "category": category.pk})
    response = manager_client.post(
        "/tags", {"name": "Rough sleeping", "category": category.pk, "synonyms": "street homeless, rough sleeper"}
    )
    assert response.status_code in (200, 302)
    tag = Tag.objects.for_office(office).get(name="Rough sleeping") if response.status_code == 302 else None
    assert tag is None or tag.synonyms == ["street homeless", "rough sleeper"]


def test_a_warning_shows_past_the_size_limit(manager_client, office, vocabulary):
    settings = services.settings_for(office)
    settings.vocabulary_warning_size = 10
    settings.save()
    assert "grown past 10 active tags" in manager_client.get("/tags").content.decode()


def test_a_caseworker_cannot_manage_tags(caseworker_client, vocabulary):
    tag = vocabulary["Homelessness"]
    assert caseworker_client.get("/tags").status_code == 403
    assert caseworker_client.post(f"/tags/{tag.pk}/toggle").status_code == 403
    tag.refresh_from_db()
    assert tag.is_active


def test_a_case_keeps_a_retired_tag_in_its_history(case, manager, vocabulary):
    services.tag_set_active(tag=vocabulary["Universal Credit"], actor=manager, active=False)
    assert list(Case.objects.for_office(case.office).get(pk=case.pk).tags.all()) == [vocabulary["Universal Credit"]]
