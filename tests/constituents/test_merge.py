"""Merging duplicates: every related row of every app moves, the mapping stays, and it is audited."""

import time

import pytest

from casework.models import Case, CaseParticipant
from constituents import services
from constituents.models import (
    Constituent,
    ConstituentEmail,
    ConstituentMerge,
    ConstituentPhone,
    DuplicateDismissal,
    Relationship,
    Representative,
)
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.models import AuditEvent
from tests.factories import ConstituentFactory


@pytest.fixture
def pair(office, caseworker):
    survivor = services.constituent_create(
        office=office,
        actor=caseworker,
        first_name="Sarah",
        last_name="Ahmed",
        email="sarah@example.com",
        phone="0113 496 0001",
    )
    merged = services.constituent_create(
        office=office,
        actor=caseworker,
        title="Dr",
        first_name="Sara",
        last_name="Ahmed",
        address_line1="14 Mill Lane",
        town="Eastley",
        postcode="EY1 1HJ",
        notes="Prefers afternoon calls.",
        email="sarah@example.com",
        phone="0161 496 0002",
    )
    services.constituent_email_add(constituent=merged, actor=caseworker, email="s.ahmed@example.com")
    return survivor, merged


def test_it_moves_every_related_row_to_the_survivor(office, manager, caseworker, pair):
    survivor, merged = pair
    helper = services.representative_create(
        constituent=merged, actor=caseworker, name="Helen", relationship=Relationship.RELATIVE
    )
    # Rows of a later app that this code never names: a case and a case participant.
    case = Case.objects.create(office=office, reference="2026/0001", constituent=merged, summary="x")
    other_case = Case.objects.create(office=office, reference="2026/0002", constituent=survivor, summary="y")
    joined = CaseParticipant.objects.create(office=office, case=other_case, constituent=merged, role="joint")
    third = ConstituentFactory(office=office)
    dismissal = DuplicateDismissal.objects.create(office=office, first=merged, second=third)
    self_pair = DuplicateDismissal.objects.create(office=office, first=survivor, second=merged)
    earlier = ConstituentMerge.objects.create(office=office, merged_id=424242, survivor=merged)

    mapping = services.constituent_merge(office=office, survivor=survivor, merged=merged, actor=manager)

    assert not Constituent.objects.for_office(office).filter(pk=merged.pk).exists()
    for row in (case, joined, helper, dismissal, earlier):
        row.refresh_from_db()
    assert case.constituent_id == survivor.pk
    assert joined.constituent_id == survivor.pk
    assert helper.constituent_id == survivor.pk
    assert dismissal.first_id == survivor.pk
    assert earlier.survivor_id == survivor.pk  # an older merge now resolves to the new survivor
    assert not DuplicateDismissal.objects.for_office(office).filter(pk=self_pair.pk).exists()
    # The shared email is kept once; the merged record's other email and its phone move.
    assert sorted(survivor.emails.values_list("email", flat=True)) == ["s.ahmed@example.com", "sarah@example.com"]
    assert sorted(survivor.phones.values_list("number", flat=True)) == ["+441134960001", "+441614960002"]
    assert mapping.merged_id == merged.pk
    assert mapping.survivor == survivor
    assert mapping.merged_by == manager
    assert mapping.moved == {
        "casework.Case": 1,
        "casework.CaseParticipant": 1,
        "constituents.ConstituentEmail": 1,
        "constituents.ConstituentMerge": 1,
        "constituents.ConstituentPhone": 1,
        "constituents.DuplicateDismissal": 1,
        "constituents.Representative": 1,
    }


def test_the_survivor_keeps_one_preferred_email_and_phone(office, manager, pair):
    survivor, merged = pair
    services.constituent_merge(office=office, survivor=survivor, merged=merged, actor=manager)
    preferred_email = ConstituentEmail.objects.for_office(office).get(constituent=survivor, is_preferred=True)
    preferred_phone = ConstituentPhone.objects.for_office(office).get(constituent=survivor, is_preferred=True)
    assert (preferred_email.email, preferred_phone.number) == ("sarah@example.com", "+441134960001")


def test_the_survivor_gains_what_only_the_merged_record_knew(office, manager, pair):
    survivor, merged = pair
    services.constituent_merge(office=office, survivor=survivor, merged=merged, actor=manager)
    survivor.refresh_from_db()
    assert survivor.first_name == "Sarah"  # its own details stay
    assert (survivor.title, survivor.address_line1, survivor.postcode) == ("Dr", "14 Mill Lane", "EY1 1HJ")
    assert survivor.notes == "Prefers afternoon calls."


def test_the_merge_is_audited_without_personal_values(office, manager, pair):
    survivor, merged = pair
    services.constituent_merge(office=office, survivor=survivor, merged=merged, actor=manager)
    (event,) = AuditEvent.objects.filter(verb="constituents.constituent.merged")
    assert (event.actor, event.object_id) == (manager, str(survivor.pk))
    assert "merged_id" in event.fields
    assert "address_line1" in event.fields
    assert "Mill Lane" not in str(event.fields)


def test_it_refuses_to_merge_a_record_into_itself(office, manager, pair):
    survivor, _ = pair
    with pytest.raises(DomainError, match="into itself"):
        services.constituent_merge(office=office, survivor=survivor, merged=survivor, actor=manager)


def test_it_refuses_to_merge_across_offices(office, other_office, manager, pair):
    survivor, _ = pair
    stranger = ConstituentFactory(office=other_office)
    with pytest.raises(DomainError, match="Only records of this office"):
        services.constituent_merge(office=office, survivor=survivor, merged=stranger, actor=manager)
    with pytest.raises(DomainError, match="Only records of this office"):
        services.constituent_merge(office=other_office, survivor=stranger, merged=survivor, actor=manager)
    assert Constituent.objects.for_office(other_office).filter(pk=stranger.pk).exists()


def test_an_old_link_to_a_merged_record_opens_the_survivor(office, manager, manager_client, pair):
    survivor, merged = pair
    services.constituent_merge(office=office, survivor=survivor, merged=merged, actor=manager)
    response = manager_client.get(f"/constituents/{merged.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/constituents/{survivor.pk}"
    assert manager_client.get(f"/constituents/{merged.pk}/edit")["Location"] == f"/constituents/{survivor.pk}/edit"
    page = manager_client.get(f"/constituents/{survivor.pk}").content.decode()
    assert f"Record {merged.pk} merged into this one" in page


def test_a_merged_id_of_another_office_is_still_404(office, other_office, bob, caseworker_client):
    survivor = ConstituentFactory(office=other_office)
    gone = ConstituentFactory(office=other_office)
    services.constituent_merge(office=other_office, survivor=survivor, merged=gone, actor=bob)
    assert caseworker_client.get(f"/constituents/{gone.pk}").status_code == 404


def _fresh_otp(client):
    session = client.session
    session[SESSION_OTP_AT] = time.time()
    session.save()


def test_a_manager_merges_from_the_compare_page_after_a_fresh_code(office, manager_client, pair):
    survivor, merged = pair
    url = f"/constituents/{merged.pk}/merge/{survivor.pk}"
    assert manager_client.get(url)["Location"].startswith("/2fa/confirm")
    _fresh_otp(manager_client)
    page = manager_client.get(url)
    assert page.status_code == 200
    assert "14 Mill Lane" in page.content.decode()
    refused = manager_client.post(url, {"keep": survivor.pk})
    assert "Tick the box to confirm" in refused.content.decode()
    done = manager_client.post(url, {"keep": survivor.pk, "confirm": "on"})
    assert done["Location"] == f"/constituents/{survivor.pk}"
    assert ConstituentMerge.objects.for_office(office).get().merged_id == merged.pk


def test_the_compare_page_refuses_a_record_of_another_office(other_office, manager_client, pair):
    survivor, _ = pair
    _fresh_otp(manager_client)
    stranger = ConstituentFactory(office=other_office)
    assert manager_client.get(f"/constituents/{survivor.pk}/merge/{stranger.pk}").status_code == 404
    response = manager_client.post(f"/constituents/{survivor.pk}/merge/{stranger.pk}", {"keep": survivor.pk})
    assert response.status_code == 404


def test_the_same_record_twice_is_refused_on_the_page(manager_client, pair):
    survivor, _ = pair
    _fresh_otp(manager_client)
    url = f"/constituents/{survivor.pk}/merge/{survivor.pk}"
    response = manager_client.post(url, {"keep": survivor.pk, "confirm": "on"})
    assert response.status_code == 200
    assert "cannot be merged into itself" in response.content.decode()


@pytest.mark.parametrize("client_name", ["caseworker_client", "volunteer_client", "mp_client"])
def test_only_managers_merge(request, client_name, pair):
    client = request.getfixturevalue(client_name)
    survivor, merged = pair
    _fresh_otp(client)
    response = client.post(f"/constituents/{merged.pk}/merge/{survivor.pk}", {"keep": survivor.pk, "confirm": "on"})
    assert response.status_code == 403
    assert client.get("/constituents/duplicates").status_code == 403
    assert Representative.objects.for_office(survivor.office).count() == 0
    assert Constituent.objects.for_office(survivor.office).count() == 2
