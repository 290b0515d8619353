"""Constituent, contact detail, representative and organisation services, and their audit events."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import Case, CaseParticipant
from constituents import services
from constituents.models import (
    Authority,
    ConstituentEmail,
    ConstituentPhone,
    InConstituency,
    Organisation,
    Relationship,
    Representative,
)
from security.errors import DomainError
from security.models import AuditEvent
from tests.constituents.conftest import place
from tests.factories import ConstituentFactory, OrganisationFactory


def _events(verb):
    return list(AuditEvent.objects.filter(verb=verb))


def _values_in_audit(*values):
    """Any of ``values`` anywhere in the audit log (which must hold field names only)."""
    rows = AuditEvent.objects.values_list("object_id", "object_type", "fields", "verb")
    text = " ".join(str(row) for row in rows)
    return [value for value in values if value in text]


def test_it_creates_a_constituent_with_a_preferred_email_and_phone(office, caseworker, central):
    person = services.constituent_create(
        office=office,
        actor=caseworker,
        first_name=" Jane ",
        last_name="Smith",
        postcode="nt11aa",
        email="Jane.Smith@Example.com",
        phone="0113 496 0123",
        phone_label="mobile",
    )
    assert person.postcode == "NT1 1AA"
    assert person.ward == central
    assert person.in_constituency == InConstituency.YES
    assert person.first_name == "Jane"
    email, phone = person.emails.get(), person.phones.get()
    assert (email.email, email.is_preferred) == ("jane.smith@example.com", True)
    assert (phone.number, phone.label, phone.is_preferred) == ("+441134960123", "mobile", True)


def test_creation_is_audited_with_field_names_only(office, caseworker):
    person = services.constituent_create(
        office=office, actor=caseworker, first_name="Jane", last_name="Smithers", email="jane@example.com"
    )
    (event,) = _events("constituents.constituent.created")
    assert (event.actor, event.object_id, event.office) == (caseworker, str(person.pk), office)
    assert {"first_name", "last_name", "email"} <= set(event.fields)
    assert not _values_in_audit("Jane", "Smithers", "jane@example.com")


def test_a_postcode_outside_the_constituency_says_so(office, caseworker):
    place(office, "NT9 9XY", code="E05000009", name="Over the border", inside=False)
    person = services.constituent_create(office=office, actor=caseworker, last_name="Jones", postcode="NT9 9XY")
    assert person.in_constituency == InConstituency.NO
    assert person.ward.name == "Over the border"


def test_an_unknown_postcode_keeps_what_staff_said(office, caseworker):
    person = services.constituent_create(
        office=office, actor=caseworker, last_name="Jones", postcode="ZZ1 1ZZ", in_constituency="yes"
    )
    assert (person.ward, person.in_constituency) == (None, InConstituency.YES)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "12345", "is not a UK postcode"),
        ("email", "not-an-email", "is not an email address"),
        ("phone", "12", "phone number"),
    ],
)
def test_the_service_refuses_bad_contact_details_with_a_clear_message(office, caseworker, field, value, message):
    with pytest.raises(DomainError, match=message):
        services.constituent_create(office=office, actor=caseworker, last_name="Jones", **{field: value})


def test_updating_the_postcode_moves_the_ward_and_records_consent_time(office, caseworker, central):
    east = place(office, "EY1 1HJ", code="E05000002", name="East")
    person = services.constituent_create(office=office, actor=caseworker, last_name="Jones", postcode="NT1 1AA")
    services.constituent_update(
        constituent=person, actor=caseworker, postcode="ey1 1hj", consents_to_updates=True, last_name="Jones"
    )
    person.refresh_from_db()
    assert (person.postcode, person.ward) == ("EY1 1HJ", east)
    assert person.consent_recorded_at is not None
    (event,) = _events("constituents.constituent.updated")
    assert set(event.fields) == {"postcode", "ward", "consents_to_updates", "consent_recorded_at"}


def test_an_update_that_changes_nothing_records_nothing(office, caseworker):
    person = ConstituentFactory(office=office, last_name="Jones")
    services.constituent_update(constituent=person, actor=caseworker, last_name="Jones")
    assert not _events("constituents.constituent.updated")


def test_update_refuses_fields_it_does_not_edit(office, caseworker):
    person = ConstituentFactory(office=office)
    with pytest.raises(DomainError, match="office"):
        services.constituent_update(constituent=person, actor=caseworker, office=None)


def test_one_email_is_preferred_whatever_is_added_or_removed(office, caseworker):
    person = ConstituentFactory(office=office)
    first = services.constituent_email_add(constituent=person, actor=caseworker, email="a@example.com")
    second = services.constituent_email_add(constituent=person, actor=caseworker, email="b@example.com")
    assert list(person.emails.values_list("email", "is_preferred")) == [
        ("a@example.com", True),
        ("b@example.com", False),
    ]
    services.constituent_email_set_preferred(email=second, actor=caseworker)
    assert person.emails.get(is_preferred=True) == second
    services.constituent_email_remove(email=second, actor=caseworker)
    first.refresh_from_db()
    assert first.is_preferred
    with pytest.raises(DomainError, match="already one of their email addresses"):
        services.constituent_email_add(constituent=person, actor=caseworker, email="A@example.com")


def test_one_phone_is_preferred_and_a_new_preferred_one_takes_over(office, caseworker):
    person = ConstituentFactory(office=office)
    services.constituent_phone_add(constituent=person, actor=caseworker, number="0113 496 0001")
    mobile = services.constituent_phone_add(
        constituent=person, actor=caseworker, number="0161 496 0002", label="work", preferred=True
    )
    assert ConstituentPhone.objects.for_office(office).get(constituent=person, is_preferred=True) == mobile
    services.constituent_phone_remove(phone=mobile, actor=caseworker)
    assert person.phones.get().is_preferred
    with pytest.raises(DomainError, match="already one of their phone numbers"):
        services.constituent_phone_add(constituent=person, actor=caseworker, number="+441134960001")
    assert [e.fields for e in _events("constituents.constituent.phone_added")] == [["label", "number"]] * 2


def test_a_representative_records_when_their_authority_was_recorded(office, caseworker):
    person = ConstituentFactory(office=office)
    helper = services.representative_create(
        constituent=person,
        actor=caseworker,
        name="Helen Carter",
        relationship=Relationship.RELATIVE,
        phone="0113 496 0555",
        authority=Authority.POWER_OF_ATTORNEY,
    )
    assert helper.phone == "+441134960555"
    assert helper.authority_recorded_at is not None
    pending = services.representative_create(
        constituent=person, actor=caseworker, name="Tom", relationship=Relationship.ADVOCATE
    )
    assert pending.authority_recorded_at is None
    services.representative_update(representative=pending, actor=caseworker, authority=Authority.VERBAL_CONSENT)
    assert pending.authority_recorded_at is not None
    granted = timezone.now() - dt.timedelta(days=3)
    services.representative_update(representative=helper, actor=caseworker, authority_recorded_at=granted)
    assert Representative.objects.for_office(office).get(pk=helper.pk).authority_recorded_at == granted
    assert not _values_in_audit("Helen Carter", "+441134960555")


def test_a_representative_named_on_a_case_cannot_be_removed(office, caseworker):
    person = ConstituentFactory(office=office)
    helper = services.representative_create(
        constituent=person, actor=caseworker, name="Helen", relationship=Relationship.RELATIVE
    )
    case = Case.objects.create(office=office, reference="2026/0001", constituent=person, summary="x")
    participant = CaseParticipant.objects.create(office=office, case=case, representative=helper, role="representative")
    with pytest.raises(DomainError, match="still recorded in 1 case participant"):
        services.representative_remove(representative=helper, actor=caseworker)
    participant.delete()
    services.representative_remove(representative=helper, actor=caseworker)
    assert not Representative.objects.for_office(office).exists()
    assert _events("constituents.representative.removed")


def test_organisations_are_created_edited_and_deactivated(office, caseworker):
    body = services.organisation_create(
        office=office,
        actor=caseworker,
        name="Northtown Council",
        kind="council",
        email="MP@Northtown.example",
        required_identifiers=[" Council tax account ", "", "Housing number"],
        reply_target=10,
    )
    assert body.email == "mp@northtown.example"
    assert body.required_identifiers == ["Council tax account", "Housing number"]
    services.organisation_update(organisation=body, actor=caseworker, reply_target=15, reply_target_unit="calendar")
    assert Organisation.objects.for_office(office).get(pk=body.pk).reply_target_display == "15 calendar days"
    services.organisation_set_active(organisation=body, actor=caseworker, active=False)
    assert not Organisation.objects.for_office(office).get(pk=body.pk).is_active
    verbs = [e.verb for e in AuditEvent.objects.filter(object_type="constituents.organisation").order_by("id")]
    assert verbs == [
        "constituents.organisation.created",
        "constituents.organisation.updated",
        "constituents.organisation.deactivated",
    ]


def test_organisation_names_are_unique_within_an_office_only(office, other_office, caseworker):
    OrganisationFactory(office=office, name="Eastley Homes")
    OrganisationFactory(office=other_office, name="Northtown Council")
    with pytest.raises(DomainError, match="already has an organisation called"):
        services.organisation_create(office=office, actor=caseworker, name="eastley homes", kind="housing")
    services.organisation_create(office=office, actor=caseworker, name="Northtown Council", kind="council")


def test_emails_are_stored_per_office(office, other_office, caseworker, bob):
    mine = ConstituentFactory(office=office)
    theirs = ConstituentFactory(office=other_office)
    services.constituent_email_add(constituent=mine, actor=caseworker, email="same@example.com")
    services.constituent_email_add(constituent=theirs, actor=bob, email="same@example.com")
    assert ConstituentEmail.objects.for_office(office).get().constituent == mine
