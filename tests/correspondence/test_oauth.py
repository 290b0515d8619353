"""OAuth2 renewal for Microsoft 365 mailboxes, against a real token endpoint (http.server on an
ephemeral loopback port, in a thread) and a real Dovecot that accepts XOAUTH2 only with the
token that endpoint hands out."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from correspondence import imap, oauth
from correspondence.models import DEFAULT_OAUTH_SCOPE, AuthMethod, Mailbox, RawEmail
from security.models import AuditEvent
from tests.correspondence.conftest import email
from tests.correspondence.dovecot import (
    OAUTH_ACCESS_TOKEN,
    PASSWORD,
    deliver,
    free_port,
    fresh_account,
    fresh_oauth_account,
)
from tests.correspondence.token_endpoint import granted, token_endpoint_fixture  # noqa: F401

REFRESH_TOKEN = "0.AXoA-refresh-token-one"
CLIENT_SECRET = "Zq~8Q~client-secret-value"
CLIENT_ID = "8c4f0a3e-5b1d-4c7e-9f2a-1d3b5e7f9a0c"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


INVALID_GRANT = (
    400,
    {
        "error": "invalid_grant",
        "error_description": "AADSTS70008: The provided authorization code or refresh token has expired due to "
        "inactivity. Send a new interactive authorization request for this user and resource.",
        "error_codes": [70008],
    },
)


def oauth_mailbox(office, port: int, user: str, token_url: str, *, access_token: str = "", expires_at=None, **extra):
    mailbox = Mailbox(
        office=office,
        name=extra.pop("name", "Microsoft 365"),
        host="127.0.0.1",
        port=port,
        use_tls=False,
        username=user,
        auth_method=AuthMethod.XOAUTH2,
        oauth_client_id=CLIENT_ID,
        oauth_tenant="contoso.onmicrosoft.com",
        oauth_token_url=token_url,
        oauth_access_token_expires_at=expires_at,
        **extra,
    )
    mailbox.secret_set(access_token)
    mailbox.oauth_refresh_token_set(REFRESH_TOKEN)
    mailbox.oauth_client_secret_set(CLIENT_SECRET)
    mailbox.save()
    return mailbox


def stored_columns(mailbox: Mailbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM correspondence_mailbox WHERE id = %s", [mailbox.pk])
        return repr(cursor.fetchone())


def test_a_missing_access_token_is_fetched_with_the_refresh_token_and_logs_in(office, dovecot, token_endpoint):
    user = fresh_oauth_account()
    deliver(dovecot, user, email(message_id="<o1@example.org>", subject="By OAuth"))
    mailbox = oauth_mailbox(office, dovecot, user, token_endpoint.url)
    token_endpoint.answers.append(granted(refresh_token="0.AXoA-refresh-token-two"))

    with time_machine.travel(NOW, tick=False):
        result = imap.mailbox_poll(mailbox=mailbox)

    assert result.ok, result.error
    assert result.stored == 1
    assert RawEmail.objects.for_office(office).get().mailbox_key == mailbox.key
    [request] = token_endpoint.requests
    assert request["path"] == "/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert request["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "scope": DEFAULT_OAUTH_SCOPE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    mailbox.refresh_from_db()
    assert mailbox.secret_get() == OAUTH_ACCESS_TOKEN
    assert mailbox.oauth_access_token_expires_at == NOW + dt.timedelta(seconds=3599)
    assert mailbox.oauth_refresh_token_get() == "0.AXoA-refresh-token-two"  # rotated, and kept
    columns = stored_columns(mailbox)
    for plain in (OAUTH_ACCESS_TOKEN, "0.AXoA-refresh-token-two", CLIENT_SECRET):
        assert plain not in columns

    # Still valid: the next poll logs in with it and asks the endpoint nothing.
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert imap.mailbox_poll(mailbox=mailbox).ok
    assert len(token_endpoint.requests) == 1

    # Within five minutes of expiry: renewed with the rotated refresh token, which is kept when
    # the endpoint sends none back.
    token_endpoint.answers.append(granted(expires_in=3600))
    later = NOW + dt.timedelta(seconds=3599) - dt.timedelta(minutes=4)
    with time_machine.travel(later, tick=False):
        assert imap.mailbox_poll(mailbox=mailbox).ok
    assert token_endpoint.requests[1]["form"]["refresh_token"] == "0.AXoA-refresh-token-two"
    mailbox.refresh_from_db()
    assert mailbox.oauth_access_token_expires_at == later + dt.timedelta(seconds=3600)
    assert mailbox.oauth_refresh_token_get() == "0.AXoA-refresh-token-two"


@pytest.mark.parametrize(("minutes_left", "renewed"), [(6, False), (5, True), (4, True), (-30, True)])
def test_the_access_token_is_renewed_only_within_five_minutes_of_expiry(
    office, dovecot, token_endpoint, minutes_left, renewed
):
    user = fresh_oauth_account()
    # A token the server no longer takes, unless it is still in date: only a renewal can log in.
    held = "stale-token" if renewed else OAUTH_ACCESS_TOKEN
    with time_machine.travel(NOW, tick=False):
        mailbox = oauth_mailbox(
            office,
            dovecot,
            user,
            token_endpoint.url,
            access_token=held,
            expires_at=timezone.now() + dt.timedelta(minutes=minutes_left),
        )
        token_endpoint.answers.append(granted())
        result = imap.mailbox_poll(mailbox=mailbox)
    assert result.ok, result.error
    assert len(token_endpoint.requests) == (1 if renewed else 0)


def test_a_token_of_unknown_expiry_is_renewed_when_a_refresh_token_is_stored(office, dovecot, token_endpoint):
    mailbox = oauth_mailbox(office, dovecot, fresh_oauth_account(), token_endpoint.url, access_token="typed-in")
    token_endpoint.answers.append(granted())
    assert imap.mailbox_poll(mailbox=mailbox).ok
    assert len(token_endpoint.requests) == 1


def test_without_a_refresh_token_the_stored_access_token_is_used_as_it_is(office, dovecot, token_endpoint):
    mailbox = oauth_mailbox(office, dovecot, fresh_oauth_account(), token_endpoint.url, access_token=OAUTH_ACCESS_TOKEN)
    mailbox.oauth_refresh_token_encrypted = ""
    mailbox.save()
    assert imap.mailbox_poll(mailbox=mailbox).ok
    assert token_endpoint.requests == []


def test_a_public_client_sends_its_id_and_no_secret(office, dovecot, token_endpoint):
    mailbox = oauth_mailbox(office, dovecot, fresh_oauth_account(), token_endpoint.url)
    mailbox.oauth_client_secret_encrypted = ""
    mailbox.save()
    token_endpoint.answers.append(granted())
    assert imap.mailbox_poll(mailbox=mailbox).ok
    form = token_endpoint.requests[0]["form"]
    assert form["client_id"] == CLIENT_ID
    assert "client_secret" not in form


FAILURES = {
    "refused": (INVALID_GRANT, "invalid_grant — AADSTS70008: The provided authorization code or refresh token"),
    "server error": ((503, b"<html>Service Unavailable</html>"), "The token endpoint answered HTTP 503."),
    "not a token": ((200, {"token_type": "Bearer", "expires_in": 3599}), "answer had no access token"),
    "sign-in page": ((200, b"<html>Sign in</html>"), "The token endpoint's answer was not a token."),
    "proxy refusal": ((403, b"<html>Forbidden</html>"), "The token endpoint answered HTTP 403."),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_token_endpoint_shows_on_that_mailbox_while_others_keep_polling(
    office, dovecot, token_endpoint, manager_client, caplog, failure
):
    answer, expected = FAILURES[failure]
    broken = oauth_mailbox(office, dovecot, fresh_oauth_account(), token_endpoint.url, name="Microsoft 365")
    token_endpoint.answers.append(answer)
    working = Mailbox(office=office, name="Other", host="127.0.0.1", port=dovecot, use_tls=False)
    working.username = fresh_password_account(dovecot)
    working.secret_set(PASSWORD)
    working.save()

    with caplog.at_level(logging.DEBUG):
        results = {r.mailbox_id: r for r in imap.mailboxes_poll()}

    assert not results[broken.pk].ok
    assert results[working.pk].ok
    assert RawEmail.objects.for_office(office).filter(mailbox_key=working.key).count() == 1
    broken.refresh_from_db()
    assert broken.last_error.startswith("TokenRefreshError: ")
    assert expected in broken.last_error, broken.last_error
    assert broken.consecutive_failures == 1
    assert broken.secret_get() == ""  # nothing half-stored
    assert broken.oauth_refresh_token_get() == REFRESH_TOKEN
    for secret in (REFRESH_TOKEN, CLIENT_SECRET):
        assert secret not in broken.last_error
        assert secret not in caplog.text
    listing = manager_client.get(reverse("correspondence:mailbox_list")).content.decode()
    assert "Failing" in listing
    assert "TokenRefreshError" in listing


def fresh_password_account(port: int) -> str:
    user = fresh_account()
    deliver(port, user, email(message_id=f"<{user}@example.org>"))
    return user


def test_an_unreachable_token_endpoint_is_recorded(office, dovecot):
    url = f"http://127.0.0.1:{free_port()}/tenant/oauth2/v2.0/token"  # nothing listens there
    mailbox = oauth_mailbox(office, dovecot, fresh_oauth_account(), url)
    result = imap.mailbox_poll(mailbox=mailbox)
    assert not result.ok
    assert "could not be reached (ConnectionError)" in result.error


def test_the_default_endpoint_is_microsofts_for_the_tenant():
    assert oauth.token_url(Mailbox(oauth_tenant="contoso.onmicrosoft.com")) == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    )
    assert oauth.token_url(Mailbox(oauth_tenant="x", oauth_token_url="https://idp.example/token")) == (
        "https://idp.example/token"
    )
    for bad in ("", "contoso/../common", "a b", "-x"):
        with pytest.raises(oauth.TokenRefreshError):
            oauth.token_url(Mailbox(oauth_tenant=bad))
    assert oauth.token_url_allowed("https://login.microsoftonline.com/t/oauth2/v2.0/token")
    assert oauth.token_url_allowed("http://127.0.0.1:8080/token")
    assert not oauth.token_url_allowed("http://login.example.org/token")


def test_a_token_endpoint_over_plain_http_elsewhere_is_never_called(office, dovecot):
    mailbox = oauth_mailbox(office, dovecot, fresh_oauth_account(), "http://login.example.org/token")
    result = imap.mailbox_poll(mailbox=mailbox)
    assert "must use https" in result.error


def _form(port: int, user: str, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Microsoft 365",
        "host": "127.0.0.1",
        "port": port,
        "username": user,
        "auth_method": "xoauth2",
        "secret": "",
        "inbox_folder": "INBOX",
        "sent_folder": "Sent",
        "processed_folder": "Processed",
        "is_active": "on",
        "oauth_tenant": "contoso.onmicrosoft.com",
        "oauth_client_id": CLIENT_ID,
        "oauth_client_secret": CLIENT_SECRET,
        "oauth_refresh_token": REFRESH_TOKEN,
        "oauth_token_url": "",
        "oauth_scope": DEFAULT_OAUTH_SCOPE,
    }
    data.update(changes)
    return data


def test_a_manager_sets_up_renewal_and_the_secrets_are_write_only(office, manager_client, dovecot, token_endpoint):
    user = fresh_oauth_account()
    add = manager_client.post(
        reverse("correspondence:mailbox_add"), _form(dovecot, user, oauth_token_url=token_endpoint.url)
    )
    assert add.status_code == 302, add.content.decode()[:3000]
    mailbox = Mailbox.objects.for_office(office).get()
    assert (mailbox.auth_method, mailbox.oauth_client_id, mailbox.oauth_token_url) == (
        AuthMethod.XOAUTH2,
        CLIENT_ID,
        token_endpoint.url,
    )
    assert mailbox.oauth_refresh_token_get() == REFRESH_TOKEN
    assert mailbox.oauth_client_secret_get() == CLIENT_SECRET
    columns = stored_columns(mailbox)
    assert REFRESH_TOKEN not in columns
    assert CLIENT_SECRET not in columns

    page = manager_client.get(reverse("correspondence:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "OAuth2 token renewal" in page
    for hidden in (REFRESH_TOKEN, CLIENT_SECRET, mailbox.oauth_refresh_token_encrypted):
        assert hidden not in page

    # Blank secrets keep the stored ones.
    edit = _form(dovecot, user, name="Casework inbox", oauth_client_secret="", oauth_refresh_token="")
    edit["oauth_token_url"] = token_endpoint.url
    assert manager_client.post(reverse("correspondence:mailbox_edit", args=[mailbox.pk]), edit).status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Casework inbox"
    assert (mailbox.oauth_refresh_token_get(), mailbox.oauth_client_secret_get()) == (REFRESH_TOKEN, CLIENT_SECRET)

    # "Test connection" renews the token and logs in with it.
    token_endpoint.answers.append(granted())
    tested = manager_client.post(reverse("correspondence:mailbox_test", args=[mailbox.pk]), follow=True)
    assert any("connected and logged in" in str(m) for m in tested.context["messages"])
    mailbox.refresh_from_db()
    assert mailbox.secret_get() == OAUTH_ACCESS_TOKEN
    listing = manager_client.get(reverse("correspondence:mailbox_list")).content.decode()
    assert "renewed automatically" in listing
    assert "Access token valid until" in listing

    events = AuditEvent.objects.filter(object_type="correspondence.mailbox")
    created = events.get(verb="correspondence.mailbox.created")
    assert {"oauth_refresh_token", "oauth_client_secret", "oauth_client_id"} <= set(created.fields)
    for event in events:
        for secret in (REFRESH_TOKEN, CLIENT_SECRET, OAUTH_ACCESS_TOKEN):
            assert secret not in repr(event.__dict__)


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"oauth_client_id": ""}, "oauth_client_id", "needs the application (client) ID"),
        ({"oauth_tenant": ""}, "oauth_tenant", "Give the tenant ID, or a token endpoint."),
        ({"oauth_tenant": "contoso/../common"}, "oauth_tenant", "A tenant ID is a GUID or a domain"),
        ({"oauth_token_url": "http://login.example.org/token"}, "oauth_token_url", "must use https"),
        ({"oauth_refresh_token": ""}, "secret", "Give an access token, or a refresh token to get one."),
        ({"auth_method": "password", "oauth_refresh_token": ""}, "secret", "Give the mailbox's password."),
    ],
)
def test_the_mailbox_form_refuses_incomplete_oauth_settings(office, manager_client, changes, field, error):
    response = manager_client.post(reverse("correspondence:mailbox_add"), _form(993, "office@example.org", **changes))
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not Mailbox.objects.for_office(office).exists()
