"""The demo campaign: found by detection, its response waiting for the MP, seeded once."""

import pytest

from campaigns.demo import seed_demo
from campaigns.models import Campaign, CampaignMember, ResponseVersion
from security.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_is_detected_once_with_a_response_to_approve(office, caseworker):
    seed_demo(office, {Role.CASEWORKER: caseworker})
    seed_demo(office, {Role.CASEWORKER: caseworker})

    campaign = Campaign.objects.for_office(office).get()
    members = CampaignMember.objects.for_office(office).filter(campaign=campaign)
    assert members.count() == 12
    assert members.filter(personalised=True).count() == 2
    version = ResponseVersion.objects.for_office(office).get()
    assert (version.state, version.created_by) == ("submitted", caseworker)
