"""The database is the queue: mail stored while no worker ran is parsed by the next sweep, and
a claim left by a dead worker is parsed again once its lease has run out."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings as django_settings

from correspondence import ingest, tasks
from correspondence.models import Message, ParseState, RawEmail, RawSource
from tests.correspondence.conftest import email

START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)


def test_the_sweep_is_scheduled():
    entry = django_settings.CELERY_BEAT_SCHEDULE["correspondence.parse_pending"]
    assert entry["task"] == "correspondence.tasks.parse_pending"


def test_mail_stored_while_the_worker_is_down_is_parsed_by_the_next_sweep(office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row, _ = ingest.store_raw(office=office, raw=email(), source=RawSource.WEBHOOK)
    assert len(callbacks) == 1  # the enqueue, which a dead broker would lose
    assert RawEmail.objects.for_office(office).get().parse_state == ParseState.PENDING
    assert tasks.parse_pending() == 1
    row.refresh_from_db()
    assert row.parse_state == ParseState.PARSED
    assert Message.objects.for_office(office).count() == 1
    assert tasks.parse_pending() == 0


def test_a_claim_left_by_a_dead_worker_is_parsed_after_the_lease(office, settings):
    settings.INBOUND_PARSE_LEASE_SECONDS = 300
    with time_machine.travel(START, tick=False):
        row, _ = ingest.store_raw(office=office, raw=email(), source=RawSource.IMAP)
        assert ingest._claim(row.pk)  # a worker claims it, then dies before parsing
        assert tasks.parse_pending() == 0
        assert tasks.process_raw(row.pk) is None  # a second worker leaves it alone
    with time_machine.travel(START + dt.timedelta(seconds=299), tick=False):
        assert tasks.parse_pending() == 0
    with time_machine.travel(START + dt.timedelta(seconds=301), tick=False):
        assert tasks.parse_pending() == 1
    row.refresh_from_db()
    assert (row.parse_state, row.parse_attempts, row.parse_claimed_at) == (ParseState.PARSED, 2, None)
    assert Message.objects.for_office(office).count() == 1


def test_the_enqueue_runs_on_commit_and_a_dead_broker_loses_nothing(
    office, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(raw_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.process_raw, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = ingest.store_raw(office=office, raw=email(), source=RawSource.WEBHOOK)
    row.refresh_from_db()
    assert row.parse_state == ParseState.PENDING
    assert tasks.parse_pending() == 1
