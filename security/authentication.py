"""Who is calling the API: a member of staff (session) or an integration (bearer token).

API views do not branch on which: ``api_caller(request)`` gives the office, the person (if
any), their membership (if any) and the token (if any). A token acts for its office only,
as no person: writes are recorded with ``actor_kind="api_token"`` and the token's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from security import requestcontext, services
from security.models import ApiToken, Membership, Office, User

REFUSED_MESSAGE = "The API token is not valid: it may have been revoked. Ask an office manager for a new one."


class TokenCaller(AnonymousUser):
    """``request.user`` for a token's request: authenticated, but no person (no pk, no roles)."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"API token {self.token.prefix}"

    @property
    def is_anonymous(self) -> bool:  # type: ignore[override]
        return False

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def is_verified(self) -> bool:
        # 2FA belongs to people; a token is checked by its scopes instead.
        return False


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer mpo_…``. Listed first, so a refusal is 401 with a Bearer challenge."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenCaller, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: the session may still authenticate
        credentials = credentials.strip()
        if not credentials or " " in credentials:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        token = services.api_token_use(token=credentials)
        if token is None:
            raise exceptions.AuthenticationFailed(REFUSED_MESSAGE)
        # Views, audit and templates read the office from the request, as for a session.
        request._request.office = token.office
        request._request.membership = None
        requestcontext.act_as_api_token(token.pk)
        return TokenCaller(token), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


def request_token(request: Request) -> ApiToken | None:
    """The token that authenticated ``request``, if a token did."""
    return request.auth if isinstance(request.auth, ApiToken) else None


@dataclass(frozen=True)
class ApiCaller:
    office: Office
    # The person (session) or None (a token): pass it to services as the actor.
    actor: User | None
    # Their membership in ``office``; None for a token. Tokens never see restricted cases.
    membership: Membership | None
    token: ApiToken | None

    @property
    def is_token(self) -> bool:
        return self.token is not None


def api_caller(request: Request) -> ApiCaller:
    """The caller of an API view that has passed its permission checks."""
    token = request_token(request)
    if token is not None:
        return ApiCaller(office=token.office, actor=None, membership=None, token=token)
    membership = request._request.membership
    return ApiCaller(office=membership.office, actor=request.user, membership=membership, token=None)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, so the docs page can send it."""

    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An office's API token (mpo_…), created by an office manager under API tokens.",
        }
