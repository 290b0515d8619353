"""API tokens: made by a manager with a fresh code, shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import ActorKind, ApiToken, AuditEvent
from tests.api.conftest import bearer
from tests.security.helpers import totp_code

NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _token_on(page: str) -> str:
    found = re.search(r'value="(mpo_[A-Za-z0-9_-]+)"', page)
    assert found, "the new token is shown on the page"
    return found.group(1)


def test_it_asks_for_a_fresh_code_then_shows_the_token_once(manager_client, manager, office):
    response = manager_client.get("/api-tokens/new")
    assert response["Location"] == "/2fa/confirm?next=/api-tokens/new"
    device = TOTPDevice.objects.get(user=manager)
    assert manager_client.post(response["Location"], {"otp_token": totp_code(device)})["Location"] == "/api-tokens/new"

    response = manager_client.post("/api-tokens/new", {"name": "Website form", "scopes": ["read", "write"]})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = _token_on(response.content.decode())
    token = ApiToken.objects.for_office(office).get()
    assert (token.name, token.scopes, token.created_by) == ("Website form", ["read", "write"], manager)
    # Only the hash is kept; the prefix is too short to use.
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert secret.startswith(token.prefix)
    assert len(token.prefix) == 12
    # Shown once: the list shows the prefix only.
    listing = manager_client.get("/api-tokens").content.decode()
    assert token.prefix in listing
    assert secret not in listing
    event = AuditEvent.objects.get(verb="security.api_token.created")
    assert (event.actor, event.fields, event.object_id) == (manager, ["name", "scopes"], str(token.pk))
    # And it works.
    assert bearer(secret).get("/api/v1/me").json()["full_name"] == "Website form"


def test_a_post_without_a_fresh_code_goes_back_to_the_form_after_confirming(manager_client):
    response = manager_client.post(
        "/api-tokens/new", {"name": "X", "scopes": ["read"]}, HTTP_REFERER="http://testserver/api-tokens/new"
    )
    assert response["Location"].startswith("/2fa/confirm")
    assert not ApiToken.unscoped.exists()


def test_the_form_says_what_is_missing(manager_client):
    from tests.security.test_roles import _fresh_otp

    _fresh_otp(manager_client)
    page = manager_client.post("/api-tokens/new", {"name": " ", "scopes": []}).content.decode()
    assert "This field is required." in page
    assert not ApiToken.unscoped.exists()


def test_only_managers_manage_tokens(caseworker_client, mp_client, volunteer_client):
    for client in (caseworker_client, mp_client, volunteer_client):
        assert client.get("/api-tokens").status_code == 403
        assert client.get("/api-tokens/new").status_code == 403


def test_the_office_page_links_to_tokens_for_the_manager_only(manager_client, caseworker_client):
    assert 'href="/api-tokens"' in manager_client.get("/office/manage").content.decode()
    assert 'href="/api-tokens"' not in caseworker_client.get("/office/manage").content.decode()


def test_a_revoked_token_is_refused_at_once(manager_client, manager, make_token):
    token, secret = make_token("read")
    client = bearer(secret)
    assert client.get("/api/v1/me").status_code == 200

    response = manager_client.post(f"/api-tokens/{token.pk}/revoke")

    assert response["Location"] == "/api-tokens"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == manager
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "authentication_failed"
    assert "Revoked" in manager_client.get("/api-tokens").content.decode()
    # Revoking again changes nothing and records nothing more.
    manager_client.post(f"/api-tokens/{token.pk}/revoke")
    assert AuditEvent.objects.filter(verb="security.api_token.revoked").count() == 1


def test_a_manager_cannot_revoke_another_offices_token(manager_client, make_token, other_office, bob):
    token, _ = make_token("read", office=other_office, actor=bob)
    assert manager_client.post(f"/api-tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_wrong_or_malformed_token_is_401_with_a_challenge(db):
    for header in ("Bearer mpo_not-a-token", "Bearer nonsense", "Bearer", "Bearer a b", "bearer mpo_x"):
        client = bearer("")
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/cases")
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"].startswith("Bearer"), header


def test_a_token_of_a_deactivated_office_is_refused(office, make_token):
    _, secret = make_token("read")
    office.is_active = False
    office.save()
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(make_token, django_assert_num_queries):
    token, secret = make_token("read")
    client = bearer(secret)
    with time_machine.travel(NOON, tick=False):
        client.get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == NOON
    with time_machine.travel(NOON + dt.timedelta(seconds=30), tick=False):
        # A request within the minute only reads the token: no UPDATE.
        with django_assert_num_queries(1):
            client.get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == NOON
    with time_machine.travel(NOON + dt.timedelta(seconds=61), tick=False):
        client.get("/api/v1/me")
        token.refresh_from_db()
        assert token.last_used_at == NOON + dt.timedelta(seconds=61)


def test_a_tokens_writes_are_audited_as_the_token(office, write_client, constituent):
    response = write_client.post("/api/v1/cases", {"constituent": constituent.pk, "summary": "Blue badge renewal"})
    assert response.status_code == 201
    token = ApiToken.objects.for_office(office).get()
    event = AuditEvent.objects.get(verb="casework.case.opened")
    assert (event.actor, event.actor_kind, event.api_token_id) == (None, ActorKind.API_TOKEN, token.pk)
    assert event.office == office
    viewed = AuditEvent.objects.filter(verb="casework.case.viewed")
    write_client.get(f"/api/v1/cases/{response.json()['id']}")
    assert viewed.get().actor_kind == ActorKind.API_TOKEN
    # The token itself is never recorded anywhere in the audit log.
    assert not AuditEvent.objects.filter(object_id__startswith="mpo_").exists()


def test_session_calls_are_audited_as_the_person(caseworker_client, caseworker, case):
    caseworker_client.get(f"/api/v1/cases/{case.pk}")
    event = AuditEvent.objects.get(verb="casework.case.viewed")
    assert (event.actor, event.actor_kind, event.api_token_id) == (caseworker, ActorKind.USER, None)
