"""OAuth2 for IMAP mailboxes (XOAUTH2, as Microsoft 365 requires): the access token is renewed
from the stored refresh token before a login, when it is missing or expires within five minutes.

The refresh_token grant goes through Authlib's requests client, which builds the form,
authenticates the app (client_secret_post, or just the client id for a public client), reads the
JSON answer and raises the endpoint's own OAuth error. MSAL was not used: it discovers its
authority over the network before any request (instance discovery), which cannot run against the
local endpoint the tests serve, and it keeps tokens in its own cache where ours belong in the
database, encrypted like every other mailbox secret.

Two workers never refresh one mailbox at once: the row is locked (SELECT … FOR UPDATE) for the
length of the refresh, and the second finds the fresh token when it gets the lock. A refresh is a
machine renewing its own credential, not a person's change, so it is not audited; a failure is
raised as ``TokenRefreshError``, whose message (never a secret) the poller records as the
mailbox's ``last_error`` for the manager.
"""

from __future__ import annotations

import datetime as dt
import re

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from correspondence.models import DEFAULT_OAUTH_SCOPE, Mailbox

MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105 - a URL
REFRESH_MARGIN = dt.timedelta(minutes=5)
# A tenant is a GUID or a domain name; nothing else may be put into Microsoft's URL.
TENANT = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,98}[A-Za-z0-9])?$")
MAX_DESCRIPTION = 300
# What the mailbox row holds of the token state, copied back to the caller's instance.
_TOKEN_FIELDS = ("secret_encrypted", "oauth_refresh_token_encrypted", "oauth_access_token_expires_at")


class TokenRefreshError(Exception):
    """The access token could not be renewed. The message is for the manager: it names the
    endpoint's error, never a token or secret."""


def token_url(mailbox: Mailbox) -> str:
    """The endpoint set on the mailbox, else Microsoft's for its tenant."""
    if mailbox.oauth_token_url:
        return mailbox.oauth_token_url
    if not TENANT.match(mailbox.oauth_tenant or ""):
        raise TokenRefreshError("Set the directory (tenant) ID, or a token endpoint, to renew the access token.")
    return MICROSOFT_TOKEN_URL.format(tenant=mailbox.oauth_tenant)


def token_url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a local identity provider, the tests): the
    client secret and refresh token are never sent in clear across a network."""
    return is_secure_transport(url)


def needs_refresh(mailbox: Mailbox, *, now: dt.datetime | None = None) -> bool:
    """Renew when there is a refresh token and the access token is missing, of unknown expiry, or
    expires within ``REFRESH_MARGIN``."""
    if not mailbox.oauth_renews:
        return False
    expires_at = mailbox.oauth_access_token_expires_at
    if not mailbox.secret_encrypted or expires_at is None:
        return True
    return expires_at - (now or timezone.now()) <= REFRESH_MARGIN


def access_token(*, mailbox: Mailbox) -> str:
    """The access token to log in with: the stored one, renewed first when it needs to be.

    Updates ``mailbox`` in place (the token, its expiry, a rotated refresh token).
    """
    if needs_refresh(mailbox):
        with transaction.atomic():
            locked = Mailbox.unscoped.select_for_update().get(pk=mailbox.pk)
            # Another worker may have renewed it while this one waited for the lock.
            if needs_refresh(locked):
                _refresh(locked)
        for name in _TOKEN_FIELDS:
            setattr(mailbox, name, getattr(locked, name))
    token = mailbox.secret_get()
    if not token:
        raise TokenRefreshError("No OAuth2 access token is stored, and no refresh token to get one.")
    return token


def _refresh(mailbox: Mailbox) -> None:
    """The refresh_token grant; stores the new access token, its expiry and any new refresh token."""
    url = token_url(mailbox)
    if not token_url_allowed(url):
        raise TokenRefreshError("The token endpoint must use https.")
    if not mailbox.oauth_client_id:
        raise TokenRefreshError("Set the application (client) ID to renew the access token.")
    client_secret = mailbox.oauth_client_secret_get()
    refresh_token = mailbox.oauth_refresh_token_get()
    now = timezone.now()
    with OAuth2Session(
        client_id=mailbox.oauth_client_id,
        client_secret=client_secret or None,
        token_endpoint_auth_method="client_secret_post" if client_secret else "none",
        scope=mailbox.oauth_scope or DEFAULT_OAUTH_SCOPE,
    ) as session:
        try:
            token = session.refresh_token(url, refresh_token=refresh_token, timeout=settings.MAILBOX_TIMEOUT_SECONDS)
        except OAuthError as error:
            raise TokenRefreshError(_refused(error)) from None
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else "?"
            raise TokenRefreshError(f"The token endpoint answered HTTP {status}.") from None
        except requests.RequestException as error:
            raise TokenRefreshError(f"The token endpoint could not be reached ({type(error).__name__}).") from None
        except ValueError:
            raise TokenRefreshError("The token endpoint's answer was not a token.") from None
    new_access = token.get("access_token")
    if not isinstance(new_access, str) or not new_access:
        raise TokenRefreshError("The token endpoint's answer had no access token.")
    mailbox.secret_set(new_access)
    mailbox.oauth_access_token_expires_at = _expiry(token.get("expires_in"), now)
    rotated = token.get("refresh_token")
    if isinstance(rotated, str) and rotated and rotated != refresh_token:
        mailbox.oauth_refresh_token_set(rotated)
    mailbox.save(update_fields=[*_TOKEN_FIELDS, "updated_at"])


def _expiry(expires_in: object, now: dt.datetime) -> dt.datetime | None:
    """When the token expires, counted from before the request; None when the endpoint did not say
    (the next login renews it again)."""
    try:
        seconds = int(expires_in)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return now + dt.timedelta(seconds=seconds) if seconds > 0 else None


def _refused(error: OAuthError) -> str:
    """The endpoint's error code and description (Microsoft's AADSTS… text says what to do)."""
    code = str(error.error or "error")[:100]
    description = " ".join(str(error.description or "").split())[:MAX_DESCRIPTION]
    return f"The token endpoint refused to renew the access token: {code}" + (
        f" — {description}" if description else ""
    )
