"""No form a user can submit answers 500, whatever it is sent."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Text a browser or a script could send: any code point, NUL and lone surrogates excluded by
# the HTTP layer only partly, so they are included here.
anything = st.text(st.characters(codec="utf-8"), max_size=400) | st.sampled_from(["", "\x00", "a" * 5000, "\U0001f642"])

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(username=anything, password=anything)
def test_sign_in_never_crashes(db, username, password):
    response = Client().post("/login", {"username": username, "password": password})
    assert response.status_code in (200, 429)


@FUZZ
@given(token=anything)
def test_code_entry_never_crashes(caseworker, token):
    from tests.factories import TOTPDeviceFactory
    from tests.security.helpers import password_step

    TOTPDeviceFactory(user=caseworker)
    client = Client()
    password_step(client, caseworker.email)
    assert client.post("/2fa/verify", {"otp_token": token}).status_code in (200, 302, 429)


@FUZZ
@given(email=anything, role=anything)
def test_invitation_form_never_crashes(manager_client, email, role):
    assert manager_client.post("/staff", {"email": email, "role": role}).status_code in (200, 302)


@FUZZ
@given(values=st.lists(anything, min_size=6, max_size=6), page=anything)
def test_audit_filters_never_crash(manager_client, values, page):
    names = ("verb", "actor_kind", "object_type", "object_id", "since", "until")
    response = manager_client.get("/audit", dict(zip(names, values, strict=True)) | {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["x" * 3000, "\x00", "../../etc", "%00"])
def test_invitation_links_never_crash(db, token):
    assert Client().get(f"/invitation/{token}").status_code in (404, 410)
