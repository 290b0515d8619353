import datetime as dt

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from security import services
from security.models import UserSession
from tests.factories import TOTPDeviceFactory
from tests.security.helpers import sign_in

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _signed_in(user) -> Client:
    client = Client()
    sign_in(client, TOTPDeviceFactory(user=user))
    return client


def test_it_ends_an_idle_session(caseworker, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(caseworker)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/?overview").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/?overview").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/?overview")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_background_polling_does_not_keep_a_session_alive(caseworker, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(caseworker)
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=10))
            poll = client.get("/notifications/badge", headers={"X-Background-Poll": "1", "HX-Request": "true"})
            assert poll.status_code == 200
        clock.shift(dt.timedelta(minutes=1))
        expired = client.get("/notifications/badge", headers={"X-Background-Poll": "1", "HX-Request": "true"})
    assert expired.status_code == 204
    assert expired["HX-Redirect"] == "/login"


def test_it_ends_a_session_at_its_absolute_lifetime(caseworker, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 8 * 3600
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(caseworker)
        for _ in range(16):
            clock.shift(dt.timedelta(minutes=29))
            client.get("/?overview")
        clock.shift(dt.timedelta(minutes=29))
        response = client.get("/?overview")
    assert response["Location"].startswith("/login")


def test_it_lists_sessions_and_signs_out_everywhere_else(caseworker):
    laptop, phone = _signed_in(caseworker), _signed_in(caseworker)
    page = laptop.get("/account/sessions")
    assert len(page.context["sessions"]) == 2
    laptop.post("/account/sessions/end-others")
    assert laptop.get("/?overview").status_code == 200
    assert phone.get("/?overview").status_code == 302
    assert UserSession.objects.filter(user=caseworker).count() == 1


def test_sign_out_everywhere_ends_this_session_too(caseworker):
    laptop, phone = _signed_in(caseworker), _signed_in(caseworker)
    laptop.post("/account/sessions/end-all")
    assert laptop.get("/?overview").status_code == 302
    assert phone.get("/?overview").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(caseworker, manager, office):
    client = _signed_in(caseworker)
    membership = caseworker.memberships.get()
    services.membership_deactivate(office=office, membership_id=membership.pk, actor=manager)
    assert client.get("/?overview").status_code == 302
    assert (
        not Session.objects.filter(session_key__in=UserSession.objects.values("session_key"))
        .filter(session_key=client.session.session_key)
        .exists()
    )


def test_a_disabled_account_loses_its_session(caseworker):
    client = _signed_in(caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert client.get("/?overview").status_code == 302


def test_activity_is_recorded_to_the_minute_and_shown_in_the_session_list(caseworker):
    with time_machine.travel(START, tick=False) as clock:
        client = _signed_in(caseworker)
        clock.shift(dt.timedelta(seconds=30))
        client.get("/?overview")
        assert UserSession.objects.get(user=caseworker).last_seen_at == START
        clock.shift(dt.timedelta(minutes=5))
        client.get("/?overview")
    assert UserSession.objects.get(user=caseworker).last_seen_at == START + dt.timedelta(minutes=5, seconds=30)
