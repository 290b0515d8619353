"""POST /api/v1/inbound/email: only a token with the inbound_email scope delivers mail."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from correspondence import tasks
from correspondence.models import Message, ParseState, RawEmail
from security import services as security_services
from security.models import ApiToken
from tests.correspondence.conftest import corpus_bytes, email

URL = "/api/v1/inbound/email"


@pytest.fixture
def token(office, manager):
    def make(*scopes: str, office=office) -> str:
        return security_services.api_token_create(office=office, actor=manager, name="Relay", scopes=list(scopes))[1]

    return make


def post(raw: bytes, secret: str | None, content_type: str = "message/rfc822", client: APIClient | None = None):
    client = client or APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return client.generic("POST", URL, raw, content_type=content_type, **headers)


def test_it_stores_the_message_and_answers_202(office, token, django_capture_on_commit_callbacks):
    raw = corpus_bytes("nested-multipart.eml")
    with django_capture_on_commit_callbacks(execute=False):
        response = post(raw, token("inbound_email"))
    assert response.status_code == 202
    row = RawEmail.objects.for_office(office).get()
    assert response.json() == {"raw_id": row.pk, "duplicate": False}
    assert bytes(row.raw) == raw
    assert (row.source, row.parse_state) == ("webhook", ParseState.PENDING)


def test_a_second_delivery_is_a_duplicate(office, token):
    secret = token("inbound_email")
    first = post(email(), secret, "application/octet-stream").json()
    second = post(email(), secret, "application/octet-stream").json()
    assert second == {"raw_id": first["raw_id"], "duplicate": True}


def test_a_bad_token_is_401_and_stores_nothing(office, token):
    token("inbound_email")
    response = post(email(), "mpo_not-a-real-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not RawEmail.unscoped.exists()


def test_no_credentials_is_401(db):
    assert post(email(), None).status_code == 401
    assert not RawEmail.unscoped.exists()


@pytest.mark.parametrize("scopes", [("read",), ("read", "write")])
def test_a_token_without_the_scope_is_403(token, scopes):
    response = post(email(), token(*scopes))
    assert response.status_code == 403
    assert "inbound_email" in response.json()["error"]["message"]
    assert not RawEmail.unscoped.exists()


def test_a_staff_session_may_not_use_it(manager_client):
    response = manager_client.generic("POST", URL, email(), content_type="message/rfc822")
    assert response.status_code == 403
    assert not RawEmail.unscoped.exists()


def test_a_revoked_token_is_401(office, manager, token):
    secret = token("inbound_email")
    api_token = ApiToken.objects.for_office(office).get()
    security_services.api_token_revoke(office=office, actor=manager, token_id=api_token.pk)
    assert post(email(), secret).status_code == 401
    assert not RawEmail.unscoped.exists()


def test_mail_goes_to_the_tokens_office(other_office, token):
    post(email(), token("inbound_email", office=other_office))
    assert RawEmail.objects.for_office(other_office).count() == 1


def test_json_and_empty_bodies_are_refused(token):
    secret = token("inbound_email")
    assert post(b'{"a": 1}', secret, "application/json").status_code == 415
    assert post(b"", secret).status_code == 400
    assert not RawEmail.unscoped.exists()


def test_a_body_over_twice_the_limit_is_413(token, settings):
    settings.INBOUND_MAX_BYTES = 1024
    response = post(email(body="x" * 5000), token("inbound_email"))
    assert response.status_code == 413
    assert not RawEmail.unscoped.exists()


def test_it_is_in_the_schema(manager_client):
    schema = manager_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/inbound/email"]["post"]
    assert set(operation["requestBody"]["content"]) == {"message/rfc822", "application/octet-stream"}
    assert "202" in operation["responses"]


def test_the_commit_enqueues_the_parse(office, token, django_capture_on_commit_callbacks, monkeypatch):
    # The worker, run in-process: the task is what the on-commit callback enqueues.
    monkeypatch.setattr(tasks.process_raw, "delay", tasks.process_raw)
    with django_capture_on_commit_callbacks(execute=True):
        post(email(subject="Via the relay"), token("inbound_email"))
    assert Message.objects.for_office(office).get().subject == "Via the relay"
