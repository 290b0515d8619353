import datetime as dt

import pytest
import time_machine
from django.test import Client

from security import services


@pytest.fixture
def anonymous(db):
    return Client()


def test_it_reports_database_and_broker_without_signing_in(anonymous):
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is True
    assert body["broker"]["transport"] == "redis"


def test_it_says_degraded_until_a_heartbeat_is_recorded(anonymous):
    body = anonymous.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["heartbeat"]["ok"] is False


def test_it_tracks_the_heartbeat_age(anonymous, settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 60
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.heartbeat_record()
        assert anonymous.get("/healthz").json()["status"] == "ok"
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        body = anonymous.get("/healthz").json()
    assert body["heartbeat"]["ok"] is False
    assert body["heartbeat"]["age_seconds"] == 240.0


def test_it_answers_503_when_the_broker_is_down(anonymous, settings):
    from mpoffice.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = anonymous.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_it_refuses_other_methods(anonymous):
    assert anonymous.post("/healthz").status_code == 405


def test_the_heartbeat_task_records_a_beat(db):
    from security.models import Heartbeat
    from security.tasks import heartbeat

    heartbeat.apply()
    heartbeat.apply()
    assert Heartbeat.objects.count() == 1
