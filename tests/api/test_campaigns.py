"""The campaigns API: list, detail, messages and response versions — read only, by scope, role and office."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import detection, responses
from casework import services as casework_services
from security.models import AuditEvent, Membership
from tests.api.conftest import bearer
from tests.campaigns.conftest import detected_campaign, distinct_text, inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(office, caseworker, mp):
    campaign = detected_campaign(office, size=5)
    first = responses.version_save(
        office=office, actor=caseworker, campaign=campaign, subject="Buses", body="Dear {{ first_name }}", submit=True
    )
    responses.version_approve(version=first, membership=Membership.objects.get(user=mp, office=office))
    responses.version_save(
        office=office, actor=caseworker, campaign=campaign, subject="Buses", body="Dear {{ first_name }}!", submit=False
    )
    return campaign


def test_a_read_token_lists_campaigns_with_their_counts(read_client, campaign):
    body = read_client.get("/api/v1/campaigns").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["name"], row["state"], row["messages"], row["personalised"]) == (
        campaign.pk,
        "Save our buses",
        "detected",
        5,
        0,
    )
    assert read_client.get("/api/v1/campaigns?state=merged").json()["count"] == 0
    assert read_client.get("/api/v1/campaigns?q=BUS").json()["count"] == 1
    bad = read_client.get("/api/v1/campaigns?state=lost")
    assert bad.status_code == 400
    assert "Use one of: open, all, detected" in bad.json()["error"]["fields"]["state"][0]


def test_one_campaign_with_constituents_wards_replies_and_its_response(read_client, campaign):
    body = read_client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert body["constituency"] == {"yes": 0, "no": 0, "unknown": 5}
    assert body["replies"] == {"sent": 0, "pending": 0, "failed": 0, "unanswered": 5}
    assert body["response"]["number"] == 2
    assert body["response"]["state"] == "draft"
    assert AuditEvent.objects.filter(verb="campaigns.campaign.viewed", object_id=str(campaign.pk)).exists()


def test_the_messages_of_a_campaign(read_client, campaign):
    body = read_client.get(f"/api/v1/campaigns/{campaign.pk}/messages").json()
    assert body["count"] == 5
    first = body["results"][0]
    assert set(first) >= {"message", "sender_name", "sender_email", "in_constituency", "ward", "personalised", "reply"}
    assert first["reply"] == "none"
    assert AuditEvent.objects.filter(verb="campaigns.campaignmember.viewed").count() == 5
    assert read_client.get(f"/api/v1/campaigns/{campaign.pk}/messages?personalised=true").json()["count"] == 0
    assert read_client.get(f"/api/v1/campaigns/{campaign.pk}/messages?constituency=maybe").status_code == 400


def test_response_versions_say_which_would_be_sent(read_client, campaign):
    rows = read_client.get(f"/api/v1/campaigns/{campaign.pk}/responses").json()["results"]
    assert [(r["number"], r["state"], r["sendable"]) for r in rows] == [(2, "draft", False), (1, "approved", False)]
    assert rows[1]["decided_by"]["full_name"]


def test_a_token_never_sees_a_message_filed_to_a_restricted_case(
    read_client, office, campaign, manager, caseworker_client
):
    member = campaign.members.first()
    case = casework_services.case_open(
        office=office, constituent=_constituent(office), opened_by=manager, summary="Private", restricted=True
    )
    message = member.message
    message.case = case
    message.save()
    assert read_client.get(f"/api/v1/campaigns/{campaign.pk}/messages").json()["count"] == 4
    assert caseworker_client.get(f"/api/v1/campaigns/{campaign.pk}/messages").json()["count"] == 4


def _constituent(office):
    from tests.factories import ConstituentFactory

    return ConstituentFactory(office=office)


def test_nothing_can_be_written_and_approval_is_not_in_the_api(write_client, campaign):
    for method in ("post", "patch", "put", "delete"):
        assert getattr(write_client, method)(f"/api/v1/campaigns/{campaign.pk}").status_code == 405
    assert write_client.post(f"/api/v1/campaigns/{campaign.pk}/responses", {}).status_code == 405


def test_scopes_roles_and_offices(make_token, campaign, other_office, bob, volunteer_client):
    write_only = bearer(make_token("write")[1])
    assert write_only.get("/api/v1/campaigns").status_code == 403
    _, secret = make_token("read", office=other_office, actor=bob)
    other = bearer(secret)
    assert other.get("/api/v1/campaigns").json()["count"] == 0
    for url in ("", "/messages", "/responses"):
        response = other.get(f"/api/v1/campaigns/{campaign.pk}{url}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert volunteer_client.get(f"/api/v1/campaigns/{campaign.pk}/messages").status_code == 200


@pytest.mark.parametrize("caller", ["read_client", "caseworker_client"])
def test_each_list_costs_the_same_for_few_rows_as_for_many(request, caller, office, campaign):
    client = request.getfixturevalue(caller)
    urls = [
        "/api/v1/campaigns",
        f"/api/v1/campaigns/{campaign.pk}/messages",
        f"/api/v1/campaigns/{campaign.pk}/responses",
    ]
    client.get("/api/v1/me")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = {url: count(url) for url in urls}
    detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(10, 60)])
    for n in range(8):
        detected_campaign(
            office,
            size=5,
            body=distinct_text(n),
            start=100 + 10 * n,
        )
    for n in range(20):
        responses.version_save(office=office, actor=None, campaign=campaign, subject=f"v{n}", body="Text", submit=False)
    assert {url: count(url) for url in urls} == few
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/messages").json()["count"] == 55
