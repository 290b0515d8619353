"""The public contact page: signposting, the form, the acknowledgement, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from constituents.models import PostcodeWard, Ward
from correspondence.models import (
    Channel,
    ContactTopic,
    Message,
    OutboxStatus,
    OutgoingEmail,
    PublishedPosition,
    TopicKind,
    TriageState,
)
from tests.factories import OrganisationFactory

NOW = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def public():
    return Client()


@pytest.fixture
def wards(office):
    ward = Ward.objects.create(office=office, name="Riverside", code="E05000001")
    PostcodeWard.objects.create(office=office, postcode="NT1 1AB", ward=ward, in_constituency=True)
    PostcodeWard.objects.create(office=office, postcode="ZZ9 9ZZ", ward=ward, in_constituency=False)
    return ward


def url(name: str, office, **kwargs) -> str:
    return reverse(f"correspondence:{name}", kwargs={"office_slug": office.slug, **kwargs})


def form(**fields) -> dict[str, str]:
    return {
        "name": "Jane Smith",
        "email": "jane@example.org",
        "postcode": "nt1 1ab",
        "text": "My bins have not been collected for six weeks.",
        "consent_to_share": "on",
        **fields,
    }


def test_the_start_page_offers_topics_positions_and_the_form(public, office):
    organisation = OrganisationFactory(
        office=office, name="Northtown Council", website="https://northtown.example/bins"
    )
    ContactTopic.objects.create(
        office=office, title="Bins and recycling", kind=TopicKind.SIGNPOST, organisation=organisation
    )
    PublishedPosition.objects.create(office=office, title="Assisted dying", body="My view is…", is_published=True)
    page = public.get(url("contact_start", office)).content.decode()
    assert "Bins and recycling" in page
    assert "What does" in page
    assert "write to the office" in page


def test_a_signpost_says_where_to_go_and_what_the_mp_can_do(public, office):
    organisation = OrganisationFactory(
        office=office, name="Northtown Council", website="https://northtown.example/bins"
    )
    topic = ContactTopic.objects.create(
        office=office,
        title="Bins",
        kind=TopicKind.SIGNPOST,
        organisation=organisation,
        guidance="Report a missed collection online.",
    )
    page = public.get(url("contact_topic", office, topic_id=topic.pk)).content.decode()
    assert 'href="https://northtown.example/bins"' in page
    assert "Report a missed collection online." in page
    assert "can take it up with them" in page


def test_only_published_positions_are_shown(public, office):
    PublishedPosition.objects.create(office=office, title="Published view", body="Yes", is_published=True)
    PublishedPosition.objects.create(office=office, title="Draft view", body="No")
    page = public.get(url("contact_positions", office)).content.decode()
    assert "Published view" in page
    assert "Draft view" not in page


def test_another_offices_topic_is_not_found(public, office, other_office):
    topic = ContactTopic.objects.create(office=other_office, title="Theirs")
    assert public.get(url("contact_topic", office, topic_id=topic.pk)).status_code == 404


def test_an_inactive_office_has_no_contact_page(public, office):
    office.is_active = False
    office.save()
    assert public.get(url("contact_start", office)).status_code == 404


def test_a_message_lands_in_triage_and_is_acknowledged_once_a_day(public, office, wards):
    with time_machine.travel(NOW, tick=False) as clock:
        response = public.post(url("contact_write", office), form())
        assert response.status_code == 302
        public.post(url("contact_write", office), form(text="And the recycling too."))
        messages = Message.objects.for_office(office).filter(channel=Channel.WEB_FORM)
        assert messages.count() == 2
        message = messages.first()
        assert message.triage_state == TriageState.NEW
        assert message.sender_email == "jane@example.org"
        assert message.form_data["postcode"] == "NT1 1AB"
        assert message.form_data["in_constituency"] == "yes"
        assert message.form_data["consent_to_share"] is True
        acks = OutgoingEmail.objects.for_office(office)
        assert acks.count() == 1
        ack = acks.get()
        assert ack.headers["Auto-Submitted"] == "auto-replied"
        assert "bins" not in ack.text.lower(), "nothing the sender wrote goes back out"
        assert "Jane" not in ack.text
        assert ack.to_name == ""
        clock.shift(dt.timedelta(days=1))
        public.post(url("contact_write", office), form())
        assert acks.count() == 2


def test_the_thanks_page_echoes_nothing_personal(public, office, wards):
    response = public.post(url("contact_write", office), form(), follow=True)
    page = response.content.decode()
    assert "Thank you" in page
    assert "Jane" not in page
    assert "jane@example.org" not in page
    assert "bins" not in page.lower()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"postcode": "75001"}, "is not a UK postcode"),
        ({"postcode": "ZZ9 9ZZ"}, "is not in"),
        ({"text": "   "}, "Write your message."),
        ({"text": "x" * 20_001}, "at most 20000 characters"),
        ({"email": "jane"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(public, office, wards, fields, error):
    response = public.post(url("contact_write", office), form(**fields))
    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not Message.objects.for_office(office).exists()
    assert not OutgoingEmail.objects.for_office(office).exists()


def test_an_unknown_postcode_is_accepted_as_unknown(public, office, wards):
    public.post(url("contact_write", office), form(postcode="SW1A 1AA"))
    assert Message.objects.for_office(office).get().form_data["in_constituency"] == "unknown"


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(public, office, wards):
    response = public.post(url("contact_write", office), form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Message.objects.for_office(office).exists()


def test_one_address_sending_too_much_is_slowed_down(public, office, wards, settings):
    settings.CONTACT_FORM_RATE = "3/h"
    statuses = [public.post(url("contact_write", office), form()).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Message.objects.for_office(office).count() == 3


def test_the_acknowledgement_leaves_through_the_outbox(public, office, wards, mailoutbox):
    from correspondence import outbox

    public.post(url("contact_write", office), form())
    assert outbox.outbox_send_due() == 1
    (sent,) = mailoutbox
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert OutgoingEmail.objects.for_office(office).get().status == OutboxStatus.SENT


def test_the_manager_adds_a_signpost_topic(manager_client, office):
    organisation = OrganisationFactory(office=office, name="DWP")
    response = manager_client.post(
        reverse("correspondence:topic_add"),
        {
            "title": "Universal Credit",
            "kind": "signpost",
            "organisation": organisation.pk,
            "position": "1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ContactTopic.objects.for_office(office).get().organisation == organisation


def test_a_signpost_needs_somewhere_to_go(manager_client, office):
    response = manager_client.post(
        reverse("correspondence:topic_add"), {"title": "Bins", "kind": "signpost", "position": "1"}
    )
    assert "Choose where to send people" in response.content.decode()


def test_another_offices_organisation_cannot_be_chosen(manager_client, office, other_office):
    theirs = OrganisationFactory(office=other_office, name="Theirs")
    response = manager_client.post(
        reverse("correspondence:topic_add"),
        {"title": "Bins", "kind": "signpost", "organisation": theirs.pk, "position": "1"},
    )
    assert response.status_code == 200
    assert not ContactTopic.objects.for_office(office).exists()


def test_caseworkers_cannot_edit_the_contact_page(caseworker_client):
    assert caseworker_client.get(reverse("correspondence:contact_settings")).status_code == 403
    assert (
        caseworker_client.post(reverse("correspondence:position_add"), {"title": "x", "body": "y"}).status_code == 403
    )
