"""What caseworkers do with campaigns: confirm, rename, merge, split, dissolve, move messages in and out."""

from __future__ import annotations

import pytest

from campaigns import detection, responses, sending, services
from campaigns.models import Campaign, CampaignMember, CampaignState, MessageSignature
from correspondence.models import Message, TriageState
from security.errors import DomainError
from security.models import AuditEvent, Membership
from tests.campaigns.conftest import BUSES, detected_campaign, inbound

pytestmark = pytest.mark.django_db
RIVERS = (
    "I am writing to ask you to take urgent action to stop water companies dumping raw sewage into our rivers "
    "and seas. Last year storm overflows discharged untreated sewage hundreds of thousands of times.\n\n"
    "Please will you support a legally binding target to end sewage discharges into bathing waters by 2030, "
    "and back tougher fines that cannot simply be passed on to customers through higher bills."
)


@pytest.fixture
def buses(office):
    return detected_campaign(office, size=5)


@pytest.fixture
def rivers(office):
    return detected_campaign(office, size=5, body=RIVERS, start=100)


def _members(campaign) -> int:
    return CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign).count()


def test_confirm_and_rename(office, buses, caseworker):
    services.campaign_confirm(campaign=buses, actor=caseworker)
    renamed = services.campaign_rename(campaign=buses, actor=caseworker, name="  Local   buses ")
    assert (renamed.state, renamed.name, renamed.confirmed_by) == (CampaignState.CONFIRMED, "Local buses", caseworker)
    with pytest.raises(DomainError):
        services.campaign_rename(campaign=buses, actor=caseworker, name=" ")
    verbs = set(AuditEvent.objects.filter(object_id=str(buses.pk)).values_list("verb", flat=True))
    assert {"campaigns.campaign.detected", "campaigns.campaign.confirmed", "campaigns.campaign.renamed"} <= verbs


def test_merge_moves_every_message_and_later_arrivals_follow(office, buses, rivers, caseworker):
    target = services.campaign_merge(source=rivers, target=buses, actor=caseworker)
    rivers.refresh_from_db()
    assert (rivers.state, rivers.merged_into) == (CampaignState.MERGED, buses)
    assert _members(target) == 10
    late = inbound(office, 200, body=RIVERS)
    detection.detect_messages(office=office, messages=[late])
    assert CampaignMember.objects.for_office(office).get(message=late).campaign == buses
    with pytest.raises(DomainError, match="merged"):
        services.campaign_merge(source=rivers, target=buses, actor=caseworker)


def test_split_moves_the_ticked_messages_to_a_new_campaign(office, buses, rivers, caseworker):
    services.campaign_merge(source=rivers, target=buses, actor=caseworker)
    river_members = CampaignMember.objects.for_office(office).filter(message__text__contains="sewage")

    new = services.campaign_split(campaign=buses, members=list(river_members), actor=caseworker, name="Rivers")

    assert (new.name, new.state, _members(new), _members(buses)) == ("Rivers", CampaignState.CONFIRMED, 5, 5)
    with pytest.raises(DomainError, match="at least one"):
        services.campaign_split(campaign=new, members=list(new.members.all()), actor=caseworker, name="x")


def test_moving_a_message_out_and_back_in(office, buses, caseworker):
    member = CampaignMember.objects.for_office(office).filter(campaign=buses).first()
    message = services.member_remove(member=member, actor=caseworker)
    assert message.triage_state == TriageState.NEW
    assert MessageSignature.objects.for_office(office).get(message=message).excluded

    services.member_add(campaign=buses, message=message, actor=caseworker)

    message.refresh_from_db()
    assert message.triage_state == TriageState.CAMPAIGN
    assert not MessageSignature.objects.for_office(office).get(message=message).excluded
    assert CampaignMember.objects.for_office(office).get(message=message).joined_by == "person"


def test_an_ordinary_message_can_be_moved_in_from_triage_and_between_campaigns(office, buses, rivers, caseworker):
    message = inbound(office, 300, body="Please support the bus campaign. " + BUSES[:120])
    member = services.member_add(campaign=buses, message=message, actor=caseworker)
    assert member.campaign == buses
    moved = services.member_add(campaign=rivers, message=message, actor=caseworker)
    assert moved.campaign == rivers
    assert CampaignMember.objects.for_office(office).filter(message=message).count() == 1
    filed = inbound(office, 301, triage_state=TriageState.FILED)
    with pytest.raises(DomainError, match="waiting in triage"):
        services.member_add(campaign=buses, message=filed, actor=caseworker)


def test_an_answered_message_stays_in_its_campaign(office, buses, caseworker, manager, mp):
    version = responses.version_save(
        office=office, actor=caseworker, campaign=buses, subject="s", body="b", submit=True
    )
    responses.version_approve(version=version, membership=Membership.objects.get(user=mp, office=office))
    sending.campaign_send(campaign=buses, actor=manager, version=version)
    member = CampaignMember.objects.for_office(office).filter(campaign=buses).first()
    with pytest.raises(DomainError, match="answered"):
        services.member_remove(member=member, actor=caseworker)
    with pytest.raises(DomainError, match="Replies have gone out"):
        services.campaign_dissolve(campaign=buses, actor=caseworker)


def test_not_a_campaign_puts_every_message_back_in_triage(office, buses, caseworker):
    services.campaign_dissolve(campaign=buses, actor=caseworker)
    buses.refresh_from_db()
    assert buses.state == CampaignState.DISSOLVED
    assert set(Message.objects.for_office(office).values_list("triage_state", flat=True)) == {TriageState.NEW}
    # The same text from a sixth sender does not bring them back.
    detection.detect_messages(office=office, messages=[inbound(office, 50)])
    assert not Campaign.objects.for_office(office).filter(state__in=("detected", "confirmed")).exists()


# --- Through the pages -------------------------------------------------------------------------
def test_the_pages_do_it_and_a_volunteer_may_not(office, buses, rivers, caseworker_client, volunteer_client):
    base = f"/campaigns/{buses.pk}"
    assert volunteer_client.post(f"{base}/confirm").status_code == 403
    assert volunteer_client.post(f"{base}/rename", {"name": "x"}).status_code == 403
    assert caseworker_client.post(f"{base}/confirm").status_code == 302
    assert caseworker_client.post(f"{base}/rename", {"name": "Buses"}).status_code == 302
    member = CampaignMember.objects.for_office(office).filter(campaign=buses).first()
    assert caseworker_client.post(f"{base}/messages/{member.pk}/remove").status_code == 302
    response = caseworker_client.post(f"{base}/messages/add", {"message": member.message_id})
    assert response.status_code == 302
    ticked = list(CampaignMember.objects.for_office(office).filter(campaign=buses).values_list("pk", flat=True)[:2])
    response = caseworker_client.post(f"{base}/split", {"members": ticked, "name": "Some buses"})
    assert response.status_code == 302
    assert Campaign.objects.for_office(office).filter(name="Some buses").exists()
    response = caseworker_client.post(f"/campaigns/{rivers.pk}/merge", {"target": buses.pk})
    assert response["Location"] == base
    buses.refresh_from_db()
    assert (buses.state, buses.name) == (CampaignState.CONFIRMED, "Buses")


def test_another_offices_campaign_cannot_be_named(office, buses, other_office, caseworker_client):
    theirs = detected_campaign(other_office, size=5)
    response = caseworker_client.post(f"/campaigns/{buses.pk}/merge", {"target": theirs.pk})
    assert "Choose one of this office" in response.content.decode()
    member = CampaignMember.objects.for_office(other_office).first()
    response = caseworker_client.post(f"/campaigns/{buses.pk}/split", {"members": [member.pk]})
    assert response.status_code == 302
    assert _members(theirs) == 5
