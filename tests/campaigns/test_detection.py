"""Detection rules: thresholds, senders, the window, platforms, joining at once, idempotence, the sweep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from campaigns import detection, services
from campaigns.models import Campaign, CampaignMember, CampaignSettings, MessageSignature, SignatureBand
from constituents.models import ConstituentEmail, InConstituency, PostcodeWard, Ward
from correspondence import hooks
from correspondence.models import Message, TriageState
from tests.campaigns.conftest import BUSES, campaign_email, inbound, ingest_at
from tests.factories import ConstituentFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
STORY = (
    "I am seventy eight and I gave up driving two years ago. The number 34 was my only way to get to the "
    "hospital for my eye appointments, and since it was cut I have had to rely on my neighbours, who work "
    "long hours themselves. Last month I missed an appointment because nobody could take me, and I have "
    "been told I may lose more of my sight if it happens again."
)


def _states(office) -> set[str]:
    return set(Message.objects.for_office(office).values_list("triage_state", flat=True))


def test_five_senders_make_a_campaign_and_leave_triage(office):
    for n in range(4):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(minutes=n))
    assert not Campaign.objects.for_office(office).exists()
    assert _states(office) == {TriageState.NEW}

    ingest_at(office, campaign_email(4, body=BUSES), NOW + dt.timedelta(minutes=5))

    campaign = Campaign.objects.for_office(office).get()
    assert campaign.name == "Save our buses"
    assert campaign.state == "detected"
    assert CampaignMember.objects.for_office(office).filter(campaign=campaign).count() == 5
    assert _states(office) == {TriageState.CAMPAIGN}
    assert campaign.first_message_at == NOW


def test_a_later_arrival_joins_at_once_even_after_the_window(office):
    campaign = detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(5)]).created[0]
    late = ingest_at(office, campaign_email(9, body=BUSES), dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=40))
    assert late.triage_state == TriageState.CAMPAIGN
    assert CampaignMember.objects.for_office(office).get(message=late).campaign == campaign


def test_one_sender_five_times_is_not_a_campaign(office):
    for n in range(5):
        ingest_at(office, campaign_email(n, body=BUSES, sender="same@example.org"), NOW + dt.timedelta(hours=n))
    assert not Campaign.objects.for_office(office).exists()


def test_five_senders_spread_beyond_the_window_are_not_a_campaign(office):
    for n, day in enumerate((0, 5, 13, 19, 28)):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(days=day))
    assert not Campaign.objects.for_office(office).exists()


def test_the_office_sets_the_threshold_and_the_window(office, manager):
    services.settings_update(office=office, actor=manager, threshold=3, window_days=2)
    for n in range(2):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(hours=n))
    ingest_at(office, campaign_email(2, body=BUSES), NOW + dt.timedelta(days=3))  # too late for the first two
    assert not Campaign.objects.for_office(office).exists()
    ingest_at(office, campaign_email(3, body=BUSES), NOW + dt.timedelta(days=3, hours=1))
    ingest_at(office, campaign_email(4, body=BUSES), NOW + dt.timedelta(days=3, hours=2))
    campaign = Campaign.objects.for_office(office).get()
    assert CampaignMember.objects.for_office(office).filter(campaign=campaign).count() == 3


def test_a_known_platform_needs_fewer_senders_and_the_reply_to_is_the_sender(office):
    def via(n: int) -> bytes:
        return campaign_email(
            n,
            body=BUSES + "\r\n\r\n--\r\nThis email was sent by a 38 Degrees member using the 38 Degrees website.",
            sender="noreply@38degrees.org.uk",
            extra_headers=f"Reply-To: real{n}@example.org\r\n",
        )

    ingest_at(office, via(1), NOW)
    ingest_at(office, via(2), NOW + dt.timedelta(minutes=1))

    campaign = Campaign.objects.for_office(office).get()
    assert campaign.platform == "38 Degrees"
    replies = set(CampaignMember.objects.for_office(office).values_list("reply_email", flat=True))
    assert replies == {"real1@example.org", "real2@example.org"}
    assert set(MessageSignature.objects.for_office(office).values_list("sender_key", flat=True)) == replies


def test_ordinary_mail_sharing_a_sentence_is_not_grouped(office):
    for n in range(5):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(minutes=n))
    casework = (
        "I am writing about my housing benefit, which stopped in January without warning. For people who do not "
        "drive, buses are a lifeline. My landlord has now served me notice and I have two children at the local "
        "school. The council says it has no record of my claim although I have the letters."
    )
    message = ingest_at(office, campaign_email(20, body=casework, subject="Housing benefit"), NOW + dt.timedelta(1))
    assert message.triage_state == TriageState.NEW
    assert not CampaignMember.objects.for_office(office).filter(message=message).exists()


def test_a_personal_story_is_flagged_and_a_changed_greeting_is_not(office):
    for n in range(5):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(minutes=n))
    story = ingest_at(office, campaign_email(7, body=f"{STORY}\r\n\r\n{BUSES}"), NOW + dt.timedelta(hours=1))
    short = ingest_at(
        office, campaign_email(8, body=f"Hello there!\r\n\r\n{BUSES}\r\n\r\nThis matters."), NOW + dt.timedelta(hours=2)
    )
    members = {m.message_id: m for m in CampaignMember.objects.for_office(office)}
    assert members[story.pk].personalised is True
    assert members[story.pk].own_share > 0.3
    assert members[short.pk].personalised is False


def test_each_sender_is_checked_against_the_constituency(office):
    ward = Ward.objects.create(office=office, code="E05000001", name="Central")
    PostcodeWard.objects.create(office=office, postcode="NT1 1AA", ward=ward, in_constituency=True)
    PostcodeWard.objects.create(office=office, postcode="ZZ1 1ZZ", ward=ward, in_constituency=False)
    known = ConstituentFactory(office=office, in_constituency=InConstituency.YES, ward=ward, postcode="")
    ConstituentEmail.objects.create(office=office, constituent=known, email="person3@example.org")
    bodies = {0: f"{BUSES}\r\n\r\n12 High Street\r\nNT1 1AA", 1: f"{BUSES}\r\n\r\nzz1 1zz", 2: BUSES, 3: BUSES}
    for n in range(5):
        ingest_at(office, campaign_email(n, body=bodies.get(n, BUSES)), NOW + dt.timedelta(minutes=n))
    verdicts = {
        m.message.sender_email: (m.in_constituency, m.ward_id, m.postcode)
        for m in CampaignMember.objects.for_office(office).select_related("message")
    }
    assert verdicts["person0@example.org"] == ("yes", ward.pk, "NT1 1AA")
    assert verdicts["person1@example.org"] == ("no", ward.pk, "ZZ1 1ZZ")
    assert verdicts["person2@example.org"] == ("unknown", None, "")
    assert verdicts["person3@example.org"] == ("yes", ward.pk, "")


def test_detection_runs_once_per_message(office):
    messages = [inbound(office, n) for n in range(6)]
    first = detection.detect_messages(office=office, messages=messages)
    again = detection.detect_messages(office=office, messages=messages)
    assert len(first.created) == 1
    assert (again.created, again.joined) == ([], {})
    assert CampaignMember.objects.for_office(office).count() == 6
    assert MessageSignature.objects.for_office(office).count() == 6


def test_a_failing_hook_keeps_the_message_and_the_sweep_detects_it_later(office, monkeypatch):
    for n in range(4):
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(minutes=n))

    def broken(message):
        raise RuntimeError("detection is down")

    monkeypatch.setitem(hooks._hooks, "campaigns.detection", broken)
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        missed = ingest_at(office, campaign_email(4, body=BUSES), NOW + dt.timedelta(minutes=10))
        assert missed.triage_state == TriageState.NEW
        assert not Campaign.objects.for_office(office).exists()
        monkeypatch.setitem(hooks._hooks, "campaigns.detection", detection.detect_message)
        assert detection.detect_pending() == 1
    missed.refresh_from_db()
    assert missed.triage_state == TriageState.CAMPAIGN
    assert Campaign.objects.for_office(office).count() == 1


def test_messages_moved_out_by_a_person_are_not_grouped_again(office, caseworker):
    campaign = detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(5)]).created[0]
    member = CampaignMember.objects.for_office(office).filter(campaign=campaign).first()
    message = services.member_remove(member=member, actor=caseworker)
    assert message.triage_state == TriageState.NEW
    assert not SignatureBand.objects.for_office(office).filter(signature__message=message).exists()
    detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(10, 12)])
    message.refresh_from_db()
    assert message.triage_state == TriageState.NEW
    assert detection.detect_messages(office=office, messages=[message]).joined == {}


def test_band_keys_are_kept_for_a_bounded_number_of_members(office):
    messages = [inbound(office, n) for n in range(detection.EXEMPLARS + 15)]
    detection.detect_messages(office=office, messages=messages)
    with_bands = SignatureBand.objects.for_office(office).values("signature_id").distinct().count()
    assert with_bands == detection.EXEMPLARS
    assert CampaignMember.objects.for_office(office).count() == detection.EXEMPLARS + 15


def test_stale_band_keys_outside_campaigns_are_pruned(office):
    old = inbound(office, 1, body=STORY, when=NOW - dt.timedelta(days=30))
    recent = inbound(office, 2, body=BUSES, when=NOW)
    detection.detect_messages(office=office, messages=[old, recent])
    assert services.signatures_prune(now=NOW) == 32
    assert SignatureBand.objects.for_office(office).filter(signature__message=recent).count() == 32


def test_founders_stay_exemplars_after_the_prune_and_a_late_arrival_still_joins(office):
    for n in range(5):  # each stored alone first: the fifth founds with four messages read back
        ingest_at(office, campaign_email(n, body=BUSES), NOW + dt.timedelta(minutes=n))
    campaign = Campaign.objects.for_office(office).get()
    assert not SignatureBand.objects.for_office(office).filter(received_at__isnull=False).exists()

    assert services.signatures_prune(now=NOW + dt.timedelta(days=60)) == 0
    late = ingest_at(office, campaign_email(9, body=BUSES), NOW + dt.timedelta(days=61))
    assert CampaignMember.objects.for_office(office).get(message=late).campaign == campaign


def test_mail_outside_campaigns_older_than_the_window_is_not_read_back(office, monkeypatch):
    old = inbound(office, 1, when=NOW - dt.timedelta(days=20))
    recent = inbound(office, 2, when=NOW - dt.timedelta(days=3))
    detection.detect_messages(office=office, messages=[old, recent])
    candidates: set[int] = set()
    load = detection.Detector._load

    def spy(self, keys, since):
        load(self, keys, since)
        candidates.update(r.message_id for records in self.index.values() for r in records)

    monkeypatch.setattr(detection.Detector, "_load", spy)
    detection.detect_messages(office=office, messages=[inbound(office, 3, when=NOW)])
    assert candidates == {recent.pk}


def test_a_band_key_left_without_its_signature_does_not_stop_detection(office):
    detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(4)])
    gone = MessageSignature.objects.for_office(office).first()
    keys = list(SignatureBand.objects.for_office(office).filter(signature=gone).values_list("key", flat=True))
    MessageSignature.objects.for_office(office).filter(pk=gone.pk)._raw_delete(MessageSignature.objects.db)
    assert SignatureBand.objects.for_office(office).filter(key__in=keys).exists()

    result = detection.detect_messages(office=office, messages=[inbound(office, n) for n in range(4, 6)])
    assert len(result.created) == 1
    assert CampaignMember.objects.for_office(office).count() == 5


def test_offices_are_apart(office, other_office):
    for n in range(3):
        inbound(other_office, n)
    detection.detect_messages(office=other_office, messages=list(Message.objects.for_office(other_office)))
    messages = [inbound(office, n) for n in range(3)]
    assert detection.detect_messages(office=office, messages=messages).created == []
    assert CampaignSettings.objects.for_office(office).get().threshold == 5
