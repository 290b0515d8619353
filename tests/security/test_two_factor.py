import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import AuditEvent
from tests.factories import TOTPDeviceFactory
from tests.security.helpers import password_step, sign_in, totp_code

NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def device(caseworker):
    return TOTPDeviceFactory(user=caseworker)


def test_it_sends_a_stranger_to_sign_in(db):
    response = Client().get("/staff")
    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=/staff")


def test_it_shows_nothing_after_the_password_alone(caseworker, device):
    client = Client()
    response = password_step(client, caseworker.email)
    assert response["Location"].startswith("/2fa/verify")
    for path in ("/", "/notifications", "/account/sessions", "/staff"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/2fa/verify"), path


def test_it_sends_a_user_without_a_device_to_enrolment(caseworker):
    client = Client()
    password_step(client, caseworker.email)
    assert client.get("/?overview").headers["Location"].startswith("/2fa/setup")


def test_it_refuses_api_calls_from_an_unverified_session(caseworker, device):
    client = Client()
    password_step(client, caseworker.email)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert "two-factor" in response.json()["error"]["message"].lower()


def test_it_answers_api_calls_from_a_verified_session(caseworker, device, office):
    client = Client()
    sign_in(client, device)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "kind": "user",
        "email": caseworker.email,
        "full_name": caseworker.full_name,
        "office": office.slug,
        "role": "caseworker",
        "scopes": None,
    }


def test_it_refuses_api_calls_without_credentials(db):
    # 401 with a challenge: the API also accepts bearer tokens (see tests/api).
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_signs_in_with_both_factors_and_records_it(caseworker, device):
    client = Client()
    response = sign_in(client, device)
    assert response.status_code == 302
    assert client.get("/?overview").status_code == 200
    verbs = list(AuditEvent.objects.filter(actor=caseworker).values_list("verb", flat=True))
    assert "security.login.password_ok" in verbs
    assert "security.otp.verified" in verbs


def test_it_refuses_a_totp_code_used_once_already(caseworker, device):
    with time_machine.travel(NOON, tick=False):
        code = totp_code(device)
        first = Client()
        password_step(first, caseworker.email)
        assert first.post("/2fa/verify", {"otp_token": code}).status_code == 302
        second = Client()
        password_step(second, caseworker.email)
        response = second.post("/2fa/verify", {"otp_token": code})
    assert response.status_code == 200
    assert "already been used" in response.content.decode()


def test_it_tells_a_wrong_code_clearly(caseworker, device):
    client = Client()
    password_step(client, caseworker.email)
    response = client.post("/2fa/verify", {"otp_token": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert AuditEvent.objects.filter(verb="security.otp.failed", actor=caseworker).exists()


def test_it_refuses_letters_in_a_code(caseworker, device):
    client = Client()
    password_step(client, caseworker.email)
    response = client.post("/2fa/verify", {"otp_token": "12ab56"})
    assert "Enter the digits only." in response.content.decode()


def test_it_enrols_an_authenticator_and_issues_single_use_backup_codes(caseworker):
    client = Client()
    password_step(client, caseworker.email)
    page = client.get("/2fa/setup")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    pending = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    response = client.post("/2fa/setup", {"otp_token": totp_code(pending)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get("/?overview").status_code == 200

    other = Client()
    password_step(other, caseworker.email)
    assert other.post("/2fa/verify", {"otp_token": codes[0]}).status_code == 302
    again = Client()
    password_step(again, caseworker.email)
    assert again.post("/2fa/verify", {"otp_token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=caseworker).count() == 9


def test_enrolment_refuses_a_wrong_first_code(caseworker):
    client = Client()
    password_step(client, caseworker.email)
    client.get("/2fa/setup")
    response = client.post("/2fa/setup", {"otp_token": "123456"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=caseworker, confirmed=True).exists()


def test_enrolment_cannot_replace_a_device_without_verifying(caseworker, device):
    client = Client()
    password_step(client, caseworker.email)
    assert client.get("/2fa/setup")["Location"] == "/2fa/verify"


def test_it_keeps_the_next_page_but_never_an_outside_one(caseworker, device):
    client = Client()
    client.post("/login?next=/staff", {"username": caseworker.email, "password": "correct horse battery staple"})
    response = client.post("/2fa/verify?next=https://evil.example/", {"otp_token": totp_code(device)})
    assert response["Location"] == "/"
