"""Letter services: templates, paragraphs, letterhead and letters, with their audit and office checks."""

from __future__ import annotations

import pytest

from casework import services as case_services
from correspondence import demo_letters, letters
from correspondence.models import Letterhead, LetterTemplate, Message, StandardParagraph
from security.errors import DomainError
from security.models import AuditEvent
from security.roles import Role
from security.scoping import CrossOfficeError
from tests.factories import ConstituentFactory, OrganisationFactory


@pytest.fixture
def case(office, caseworker):
    person = ConstituentFactory(office=office, title="Mr", first_name="Tom", last_name="Okafor")
    return case_services.case_open(office=office, constituent=person, opened_by=caseworker, summary="UC sanction")


def test_a_template_is_audited_by_field_name_only(office, manager):
    template = letters.template_save(
        office=office, actor=manager, name="  Ack  now ", addressee="constituent", body="B"
    )
    assert template.name == "Ack now"
    event = AuditEvent.objects.get(verb="correspondence.lettertemplate.created")
    assert set(event.fields) == {"name", "addressee", "body"}
    assert "B" not in str(event.fields)
    letters.template_save(office=office, actor=manager, template=template, name="Ack now", body="B")
    assert not AuditEvent.objects.filter(verb="correspondence.lettertemplate.updated").exists(), "nothing changed"


def test_template_and_paragraph_checks(office, other_office, manager, bob):
    with pytest.raises(DomainError, match="name"):
        letters.template_save(office=office, actor=manager, name="  ", addressee="constituent", body="B")
    with pytest.raises(DomainError, match="Write the letter"):
        letters.template_save(office=office, actor=manager, name="A", addressee="constituent", body=" \n ")
    with pytest.raises(DomainError, match="who the letter"):
        letters.template_save(office=office, actor=manager, name="A", addressee="mp", body="B")
    theirs = letters.template_save(office=other_office, actor=bob, name="A", addressee="constituent", body="B")
    mine = letters.template_save(office=office, actor=manager, name="A", addressee="constituent", body="B")
    assert mine.pk != theirs.pk, "names are unique per office, not across offices"
    with pytest.raises(CrossOfficeError):
        letters.template_save(office=office, actor=manager, template=theirs, body="C")
    letters.paragraph_save(office=office, actor=manager, title="P", shortcut="Same", body="x")
    with pytest.raises(DomainError, match="already has the shortcut"):
        letters.paragraph_save(office=office, actor=manager, title="Q", shortcut="same", body="y")
    with pytest.raises(DomainError, match="already a paragraph"):
        letters.paragraph_save(office=office, actor=manager, title="p", body="y")


def test_the_letterhead_defaults_to_the_office_until_saved(office, manager):
    default = letters.letterhead_get(office)
    assert default.pk is None
    assert default.mp_name == office.mp_name
    assert default.mp_title == f"Member of Parliament for {office.constituency}"
    assert not Letterhead.objects.for_office(office).exists(), "reading stores nothing"
    saved = letters.letterhead_save(office=office, actor=manager, values={"footer": "Small print"})
    assert saved.pk is not None
    assert letters.letterhead_get(office).footer == "Small print"
    with pytest.raises(DomainError, match="MP's name"):
        letters.letterhead_save(office=office, actor=manager, values={"mp_name": " "})


def test_a_letter_to_an_organisation_is_not_the_reply_to_the_constituent(office, case, caseworker):
    council = OrganisationFactory(office=office)
    letters.letter_create(
        case=case,
        actor=caseworker,
        addressee="organisation",
        organisation=council,
        address=letters.organisation_address(council),
        subject="Enquiry",
        body="Dear Sir or Madam,",
    )
    case.refresh_from_db()
    assert case.first_response_at is None


def test_a_letter_refuses_another_offices_organisation_and_a_missing_addressee(office, other_office, case, caseworker):
    theirs = OrganisationFactory(office=other_office)
    with pytest.raises(CrossOfficeError):
        letters.letter_create(
            case=case,
            actor=caseworker,
            addressee="organisation",
            organisation=theirs,
            address="A",
            subject="s",
            body="b",
        )
    with pytest.raises(DomainError, match="Choose the constituent or an organisation"):
        letters.letter_create(case=case, actor=caseworker, addressee="organisation", address="A", subject="s", body="b")
    with pytest.raises(DomainError, match="address"):
        letters.letter_create(case=case, actor=caseworker, addressee="constituent", address=" ", subject="s", body="b")
    assert not Message.objects.for_office(office).exists()


def test_letter_start_falls_back_to_the_constituent(office, case, caseworker, manager):
    template = letters.template_save(
        office=office, actor=manager, name="T", addressee="organisation", body="To {{ organisation.name }}."
    )
    start = letters.letter_start(case=case, actor=caseworker, template=template, addressee="organisation")
    assert start.addressee == "constituent", "no organisation chosen: the letter is to the constituent"
    assert start.body == "To ."
    assert start.address.startswith("Mr Tom Okafor\n")


def test_the_demo_letters_are_seeded_once(office, manager, caseworker):
    people = {Role.MANAGER: manager, Role.CASEWORKER: caseworker}
    demo_letters.seed(office, people)
    demo_letters.seed(office, people)
    assert LetterTemplate.objects.for_office(office).count() == len(demo_letters.TEMPLATES)
    assert StandardParagraph.objects.for_office(office).count() == len(demo_letters.PARAGRAPHS)
    letterhead = Letterhead.objects.for_office(office).get()
    assert letterhead.logo
    assert letterhead.signature
    for template in LetterTemplate.objects.for_office(office):
        assert letters.merge_validate(template.body) == []
