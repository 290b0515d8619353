"""Concurrent ingestion of one campaign's text: the office's lock makes it one campaign, with everyone.

Four threads (each with its own database connection, as four workers would have) ingest the
fourth to seventh copies of a text at the same moment. Detection is slowed down between reading
the candidates and writing its decision, so without the lock each would decide on the same stale
picture — four senders each, no campaign — or two would both found one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from campaigns import detection
from campaigns import office as office_lock
from campaigns.models import Campaign, CampaignMember
from correspondence import ingest
from correspondence.models import Message, RawSource, TriageState
from tests.campaigns.conftest import BUSES, campaign_email, ingest_at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def _race(office, monkeypatch, senders: range) -> list[BaseException]:
    load = detection.Detector._load

    def slow_load(self, keys, since):
        load(self, keys, since)
        time.sleep(0.3)  # between reading what is stored and writing the decision

    monkeypatch.setattr(detection.Detector, "_load", slow_load)
    start = threading.Barrier(len(senders))
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            start.wait()
            ingest.ingest_one(office=office, raw=campaign_email(n, body=BUSES), source=RawSource.UPLOAD)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_threads_ingesting_the_same_text_make_one_campaign(office, monkeypatch):
    for n in range(3):
        ingest_at(office, campaign_email(n, body=BUSES), dt.datetime.now(tz=dt.UTC))

    errors = _race(office, monkeypatch, range(3, 7))

    assert errors == []
    campaign = Campaign.objects.for_office(office).get()
    assert CampaignMember.objects.for_office(office).filter(campaign=campaign).count() == 7
    assert set(Message.objects.for_office(office).values_list("triage_state", flat=True)) == {TriageState.CAMPAIGN}


def test_without_the_lock_the_race_is_real(office, monkeypatch):
    """The test above can fail: with the lock taken away, the same race goes wrong."""
    for n in range(3):
        ingest_at(office, campaign_email(n, body=BUSES), dt.datetime.now(tz=dt.UTC))
    monkeypatch.setattr(office_lock, "lock", office_lock.settings_for)

    assert _race(office, monkeypatch, range(3, 7)) == []

    members = CampaignMember.objects.for_office(office).count()
    assert (Campaign.objects.for_office(office).count(), members) != (1, 7)
