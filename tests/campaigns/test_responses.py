"""The approval workflow: who drafts, who approves, versions kept, and nothing sent unless approved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from campaigns import merge, responses, sending
from campaigns.models import ResponseVersion, VersionState
from correspondence.models import OutgoingEmail
from security.errors import DomainError
from security.models import AuditEvent, Membership, Notification
from security.roles import Role
from security.services import membership_set_mp_approver
from tests.campaigns.conftest import detected_campaign
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
BODY = "Dear {{ first_name }},\n\nThank you for writing about buses. {{ mp_name }} agrees."


@pytest.fixture
def campaign(office):
    return detected_campaign(office)


def _membership(user, office) -> Membership:
    return Membership.objects.get(user=user, office=office)


def _submit(office, actor, campaign, body=BODY) -> ResponseVersion:
    return responses.version_save(
        office=office, actor=actor, campaign=campaign, subject="Buses", body=body, submit=True
    )


def test_a_caseworker_drafts_and_the_mp_approves_exactly_that_text(office, campaign, caseworker, mp):
    draft = responses.version_save(
        office=office, actor=caseworker, campaign=campaign, subject="Buses", body=BODY, submit=False
    )
    assert draft.state == VersionState.DRAFT
    assert not responses.is_sendable(draft)
    submitted = responses.version_submit(version=draft, actor=caseworker)
    assert submitted.state == VersionState.SUBMITTED
    assert Notification.objects.for_office(office).filter(recipient=mp, kind="campaigns.response.submitted").exists()

    approved = responses.version_approve(version=submitted, membership=_membership(mp, office))

    assert approved.state == VersionState.APPROVED
    assert approved.decided_by == mp
    assert approved.approved_digest == responses.digest("Buses", BODY)
    assert responses.is_sendable(approved)
    assert AuditEvent.objects.filter(verb="campaigns.response.approved", object_id=str(approved.pk)).exists()
    assert Notification.objects.for_office(office).filter(recipient=caseworker, kind="campaigns.response.decided")


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.VOLUNTEER])
def test_no_other_role_may_approve(office, campaign, caseworker, role):
    version = _submit(office, caseworker, campaign)
    other = MembershipFactory(office=office, role=role)
    with pytest.raises(PermissionDenied):
        responses.version_approve(version=version, membership=other)
    with pytest.raises(PermissionDenied):
        responses.version_return(version=version, membership=other, comment="No")
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED


def test_a_member_named_by_the_mp_approves_but_not_what_they_submitted(office, campaign, caseworker, manager, mp):
    membership_set_mp_approver(office=office, membership_id=_membership(manager, office).pk, approves=True, actor=mp)
    delegate = _membership(manager, office)
    own = _submit(office, manager, campaign)
    with pytest.raises(PermissionDenied, match="another named approver"):
        responses.version_approve(version=own, membership=delegate)
    newer = _submit(office, caseworker, campaign, body=BODY + "\nMore.")
    assert responses.version_approve(version=newer, membership=delegate).state == VersionState.APPROVED


def test_an_approver_removed_by_the_mp_can_no_longer_approve(office, campaign, caseworker, manager, mp):
    membership = _membership(manager, office)
    membership_set_mp_approver(office=office, membership_id=membership.pk, approves=True, actor=mp)
    membership_set_mp_approver(office=office, membership_id=membership.pk, approves=False, actor=mp)
    with pytest.raises(PermissionDenied):
        responses.version_approve(
            version=_submit(office, caseworker, campaign), membership=_membership(manager, office)
        )


def test_an_edit_after_approval_needs_approval_again(office, campaign, caseworker, mp):
    first = responses.version_approve(version=_submit(office, caseworker, campaign), membership=_membership(mp, office))
    edited = responses.version_save(
        office=office, actor=caseworker, campaign=campaign, subject="Buses", body=BODY + "\nP.S.", submit=False
    )
    first.refresh_from_db()

    assert (first.number, edited.number) == (1, 2)
    assert (first.state, first.body) == (VersionState.APPROVED, BODY)  # kept as it was
    assert not responses.is_sendable(first), "a newer version stops the old approval being sent"
    assert not responses.is_sendable(edited)
    assert sending.plan(campaign).version is None
    with pytest.raises(DomainError, match="no approved response"):
        sending.campaign_send(campaign=campaign, actor=caseworker, version=first)
    assert not OutgoingEmail.objects.for_office(office).exists()

    responses.version_submit(version=edited, actor=caseworker)
    responses.version_approve(version=edited, membership=_membership(mp, office))
    assert sending.plan(campaign).version == edited


def test_a_changed_approved_text_is_never_sent(office, campaign, caseworker, mp):
    version = responses.version_approve(
        version=_submit(office, caseworker, campaign), membership=_membership(mp, office)
    )
    ResponseVersion.objects.for_office(office).filter(pk=version.pk).update(body="Something the MP never saw")
    version.refresh_from_db()
    assert not responses.is_sendable(version)
    assert sending.plan(campaign).version is None


def test_the_mp_sends_a_version_back_with_comments(office, campaign, caseworker, mp):
    version = _submit(office, caseworker, campaign)
    with pytest.raises(DomainError, match="Say what should change"):
        responses.version_return(version=version, membership=_membership(mp, office), comment="  ")
    returned = responses.version_return(version=version, membership=_membership(mp, office), comment="Too long.")
    assert (returned.state, returned.comment) == (VersionState.RETURNED, "Too long.")
    with pytest.raises(DomainError, match="waiting for approval"):
        responses.version_approve(version=returned, membership=_membership(mp, office))


def test_only_the_newest_version_can_be_approved(office, campaign, caseworker, mp):
    older = _submit(office, caseworker, campaign)
    _submit(office, caseworker, campaign, body=BODY + "\nNewer.")
    with pytest.raises(DomainError, match="replaced by version 2"):
        responses.version_approve(version=older, membership=_membership(mp, office))


def test_unknown_merge_fields_are_refused(office, campaign, caseworker):
    with pytest.raises(DomainError, match="not a merge field"):
        responses.version_save(
            office=office, actor=caseworker, campaign=campaign, subject="x", body="Dear {{ password }}", submit=True
        )
    with pytest.raises(DomainError, match="not closed"):
        responses.version_save(
            office=office, actor=caseworker, campaign=campaign, subject="x", body="Dear {{ first_name", submit=True
        )
    assert not ResponseVersion.objects.for_office(office).exists()


def test_the_merge_renderer_is_allow_listed():
    values = {"first_name": "Jane", "mp_name": "Jo Bloggs"}
    assert merge.render("Dear {{first_name}}, from {{  mp_name }}", values) == "Dear Jane, from Jo Bloggs"
    assert merge.problems("{{ first_name.__class__ }}")
    assert merge.problems("{% load x %}{{ x }}")
    assert merge.render("{% if x %}no template tags{% endif %}", values) == "{% if x %}no template tags{% endif %}"
    assert merge.names_for(first="", last="", whole="Jane Q. Smith")["first_name"] == "Jane"
    assert merge.names_for(first="", last="", whole="")["first_name"] == "Sir or Madam"


# --- Through the pages: the role table, 403 for the refused ------------------------------------
def test_the_approve_page_refuses_every_role_but_the_mp_and_named_approvers(
    office, campaign, caseworker, caseworker_client, manager_client, mp_client, volunteer_client
):
    version = _submit(office, caseworker, campaign)
    url = f"/campaigns/responses/{version.pk}/approve"
    for client in (caseworker_client, manager_client, volunteer_client):
        assert client.post(url).status_code == 403
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert mp_client.post(url).status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.APPROVED


def test_a_named_approver_approves_through_the_page(office, campaign, caseworker, manager, manager_client, mp):
    version = _submit(office, caseworker, campaign)
    membership_set_mp_approver(office=office, membership_id=_membership(manager, office).pk, approves=True, actor=mp)
    assert manager_client.post(f"/campaigns/responses/{version.pk}/return", {"comment": "Shorter"}).status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.RETURNED


def test_a_volunteer_reads_but_cannot_draft(office, campaign, volunteer_client):
    assert volunteer_client.get(f"/campaigns/{campaign.pk}").status_code == 200
    response = volunteer_client.post(f"/campaigns/{campaign.pk}/response", {"subject": "x", "body": "y", "submit": "1"})
    assert response.status_code == 403
    assert not ResponseVersion.objects.for_office(office).exists()


def test_drafting_through_the_page_makes_a_new_version_each_time(office, campaign, caseworker_client):
    url = f"/campaigns/{campaign.pk}/response"
    caseworker_client.post(url, {"subject": "Buses", "body": BODY, "draft": "1"})
    response = caseworker_client.post(url, {"subject": "Buses", "body": BODY + "!", "submit": "1"})
    assert response.status_code == 302
    states = list(ResponseVersion.objects.for_office(office).order_by("number").values_list("number", "state"))
    assert states == [(1, "draft"), (2, "submitted")]
    bad = caseworker_client.post(url, {"subject": "Buses", "body": "Dear {{ nope }}"})
    assert "is not a merge field" in bad.content.decode()
