import datetime as dt

import time_machine
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import TOTPDeviceFactory
from tests.security.helpers import password_step, sign_in, totp_code

START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def test_it_locks_after_repeated_wrong_passwords_then_cools_off(caseworker, settings):
    device = TOTPDeviceFactory(user=caseworker)
    with time_machine.travel(START, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = password_step(Client(), caseworker.email, "wrong password")
            assert "do not match" in response.content.decode()
        locked = password_step(Client(), caseworker.email, "wrong password")
        assert locked.status_code == 429
        assert "Too many attempts" in locked.content.decode()
        # Even the right password is refused while locked.
        assert password_step(Client(), caseworker.email).status_code == 429
    with time_machine.travel(START + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1), tick=False):
        client = Client()
        assert sign_in(client, device).status_code == 302
        assert client.get("/?overview").status_code == 200


def test_wrong_codes_count_toward_the_same_lockout(caseworker, settings):
    device = TOTPDeviceFactory(user=caseworker)
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        password_step(client, caseworker.email)
        wrong = "000000" if totp_code(device) != "000000" else "111111"
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            # django-otp's own throttle doubles its wait after each wrong code; wait it out.
            clock.shift(dt.timedelta(seconds=2**attempt + 1))
            client.post("/2fa/verify", {"otp_token": wrong})
        clock.shift(dt.timedelta(seconds=60))
        response = client.post("/2fa/verify", {"otp_token": totp_code(device)})
    assert response.status_code == 429
    assert client.get("/?overview").status_code == 302


def test_a_right_code_straight_after_a_wrong_one_gets_a_wait_message_not_a_failure(caseworker):
    device = TOTPDeviceFactory(user=caseworker)
    with time_machine.travel(START, tick=False):
        client = Client()
        password_step(client, caseworker.email)
        wrong = "000000" if totp_code(device) != "000000" else "111111"
        client.post("/2fa/verify", {"otp_token": wrong})
        response = client.post("/2fa/verify", {"otp_token": totp_code(device)})
    assert "Please wait 1 second, then enter the newest code." in response.content.decode()
    assert AccessAttempt.objects.get().failures_since_start == 1
