"""The campaign pages: what they show, who sees what, and lists that cost the same for 1 row as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import detection, responses, sending
from campaigns.models import CampaignMember, CampaignSettings
from constituents.models import ConstituentEmail, PostcodeWard, Ward
from security.models import Membership
from tests.campaigns.conftest import BUSES, detected_campaign, distinct_text, inbound
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db
STORY = (
    "My daughter is sixteen and now has to leave home at half past six to catch the only bus that gets her to "
    "college on time. In the winter that means waiting in the dark on an unlit lane for twenty minutes, and "
    "twice this term the bus did not come at all and she missed her exams."
)
# Each sender's own story: three of ten sentences, so no sentence is in most messages.
STORIES = [
    "I work night shifts at the distribution centre and there is no bus home after midnight.",
    "My husband is in the care home at Ashby Green and I can no longer visit him on Sundays.",
    "I use a wheelchair and the bus is the only accessible transport from our village.",
    "Our son has autism and the school bus was withdrawn without any consultation at all.",
    "I gave up my car to save money and now spend two hours each way getting to work.",
    "The surgery moved to the new health centre which the number twelve no longer serves.",
    "My mother is ninety and the hourly bus was how she got to the shops and the library.",
    "Since the evening service stopped our teenagers have nothing to do and nowhere to go.",
    "I volunteer at the food bank and many of our clients now cannot reach us on the bus.",
    "We moved here because of the bus link to the station, which the council has now cut.",
]


def _story(i: int) -> str:
    return " ".join(STORIES[(i + k) % len(STORIES)] for k in range(3)) + f" I have lived here for {i % 40 + 2} years."


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _populate(office, campaign, author, mp, manager, *, start: int, n: int) -> None:
    """n more messages, each from a constituent in a ward, personalised, with a personal edit and a reply."""
    ward = Ward.objects.for_office(office).first() or Ward.objects.create(office=office, code="E1", name="Central")
    messages = []
    for i in range(start, start + n):
        person = ConstituentFactory(office=office, ward=ward)
        ConstituentEmail.objects.create(office=office, constituent=person, email=f"person{i}@example.org")
        messages.append(inbound(office, i, body=f"{_story(i)}\n\n{BUSES}", constituent=person))
    detection.detect_messages(office=office, messages=messages)
    members = CampaignMember.objects.for_office(office).filter(message__in=messages)
    members.update(ward=ward, in_constituency="yes")
    for member in members:
        responses.version_save(office=office, actor=author, member=member, subject="s", body="b", submit=True)
    found = sending.plan(campaign)
    if found.pairs:
        sending.campaign_send(campaign=campaign, actor=manager, version=found.version)


@pytest.fixture
def campaign(office, caseworker, mp, manager):
    campaign = detected_campaign(office, size=5)
    version = responses.version_save(
        office=office, actor=caseworker, campaign=campaign, subject="Buses", body="Dear {{ first_name }}", submit=True
    )
    responses.version_approve(version=version, membership=Membership.objects.get(user=mp, office=office))
    return campaign


def test_each_list_costs_the_same_for_few_rows_as_for_many(
    office, campaign, caseworker, mp, manager, caseworker_client, django_assert_num_queries
):
    _populate(office, campaign, caseworker, mp, manager, start=10, n=1)
    detected_campaign(office, size=5, body=distinct_text(1), start=500)
    urls = ["/campaigns", f"/campaigns/{campaign.pk}/messages", "/campaigns/approvals", f"/campaigns/{campaign.pk}"]
    caseworker_client.get("/campaigns")
    few = {url: _count(caseworker_client, url) for url in urls}
    _populate(office, campaign, caseworker, mp, manager, start=20, n=30)
    for n in range(5):
        detected_campaign(office, size=5, body=distinct_text(100 + n), start=600 + 10 * n)
    many = {url: _count(caseworker_client, url) for url in urls}
    assert many == few
    page = caseworker_client.get(f"/campaigns/{campaign.pk}/messages").content.decode()
    assert page.count("Personalised</span>") == 31
    assert "What they added" in page
    assert "I use a wheelchair and the bus is the only accessible transport from our village." in page


def test_the_campaign_page_shows_volume_constituents_wards_and_replies(office, campaign, caseworker_client):
    ward = Ward.objects.create(office=office, code="E05000002", name="Riverside")
    PostcodeWard.objects.create(office=office, postcode="NT1 1AA", ward=ward)
    detection.detect_messages(office=office, messages=[inbound(office, 40, body=f"{BUSES}\n\nNT1 1AA")])
    page = caseworker_client.get(f"/campaigns/{campaign.pk}").content.decode()
    assert '<h2 id="volume-heading">Messages per hour</h2>' in page  # a new campaign: by the hour
    assert page.count("<rect ") == 1
    assert '<svg viewBox="0 0 290 100"' in page  # never narrower than 24 bars
    assert "<td>Riverside</td><td>1</td>" in page
    assert "<tr><td>Constituents</td><td>1</td></tr>" in page
    assert "<tr><td>Not known</td><td>5</td></tr>" in page
    assert 'Version 1</a>: <span class="tag">Approved</span>' in page
    assert "An office manager starts the send." in page


def test_the_triage_page_has_a_campaigns_section_and_the_nav_a_link(
    office, campaign, caseworker_client, volunteer_client
):
    page = caseworker_client.get("/triage").content.decode()
    assert "triage-campaigns-heading" in page
    assert f'href="/campaigns/{campaign.pk}"' in page
    assert "1 new" in page
    assert '<li><a href="/campaigns"' in page
    assert '<li><a href="/campaigns"' not in volunteer_client.get("/triage").content.decode()


def test_the_campaign_settings_are_for_managers_and_validated(office, manager_client, caseworker_client):
    assert caseworker_client.get("/campaigns/settings").status_code == 403
    bad = manager_client.post(
        "/campaigns/settings",
        {"threshold": 1, "window_days": 14, "platform_threshold": 2, "non_constituents": "short", "platforms": "x"},
    )
    body = bad.content.decode()
    assert "Give a number from 2 to 1000." in body
    assert "give x a sender domain or a footer phrase" in body
    good = manager_client.post(
        "/campaigns/settings",
        {
            "threshold": 8,
            "window_days": 7,
            "platform_threshold": 3,
            "non_constituents": "nothing",
            "platforms": "Our Platform | ourplatform.example | sent via Our Platform",
        },
    )
    assert good.status_code == 302
    saved = CampaignSettings.objects.for_office(office).get()
    assert (saved.threshold, saved.window_days, saved.non_constituents, saved.unknown_as_constituents) == (
        8,
        7,
        "nothing",
        False,
    )
    assert "Campaign mail</a>" in manager_client.get("/office/manage").content.decode()


def test_the_version_page_shows_the_changes_and_the_approvers_choice(office, campaign, caseworker, mp_client):
    newer = responses.version_save(
        office=office,
        actor=caseworker,
        campaign=campaign,
        subject="Buses",
        body="Dear {{ first_name }}\nNew line",
        submit=True,
    )
    page = mp_client.get(f"/campaigns/responses/{newer.pk}").content.decode()
    assert '<li class="diff__added"><span class="visually-hidden">Added: </span>New line</li>' in page
    assert "Approve version 2" in page
    assert "Dear Jane" in page  # the preview with example values
    listed = mp_client.get("/campaigns/approvals").content.decode()
    assert f'href="/campaigns/responses/{newer.pk}"' in listed
