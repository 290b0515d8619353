"""DRF permissions. A session's API calls obey the same 2FA and office rules as its pages;
a token's obey its scopes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from security.authentication import request_token
from security.models import ApiScope


class IsVerifiedStaff(BasePermission):
    """Signed in, 2FA verified in this session, and working in an office."""

    message = "Sign in, verify two-factor authentication and choose an office first."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if not user.is_verified():
            return False
        return getattr(request._request, "membership", None) is not None


def office_perm(perm: str) -> type[BasePermission]:
    """A permission class requiring ``perm`` from the role table, on top of ``IsVerifiedStaff``."""

    class HasOfficePerm(IsVerifiedStaff):
        message = "Your role does not allow this."

        def has_permission(self, request: Request, view: Any) -> bool:
            return super().has_permission(request, view) and request._request.membership.allows(perm)

    HasOfficePerm.__name__ = f"HasOfficePerm_{perm}"
    return HasOfficePerm


class IsVerifiedStaffOrToken(IsVerifiedStaff):
    """Any verified member of staff, or any valid token (the schema and its docs)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request_token(request) is not None or super().has_permission(request, view)


def token_scope_for(request: Request, view: Any) -> str:
    """The scope a token needs: the view's own (the inbound email webhook), else read or write."""
    scope = getattr(view, "token_scope", None)
    if scope is not None:
        return scope
    return ApiScope.READ if request.method in SAFE_METHODS else ApiScope.WRITE


class OfficeAccess(BasePermission):
    """The one permission of the office's API views.

    ``view.required_perms`` maps each HTTP method the view answers to the permission of the
    role table a session's member needs (None: any verified member). A token needs the
    scope for the method instead: read to GET, write to change anything.
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        method = "GET" if request.method == "HEAD" else request.method
        perms: dict[str, str | None] = getattr(view, "required_perms", {})
        if method not in perms:
            if hasattr(view, method.lower()) and method != "OPTIONS":
                raise ImproperlyConfigured(f"{type(view).__name__} answers {method} but names no permission for it.")
            return True  # the view answers 405 (OPTIONS included: there is no metadata endpoint)
        token = request_token(request)
        if token is not None:
            scope = token_scope_for(request, view)
            self.message = f"This API token does not have the “{scope}” scope."
            return token.has_scope(scope)
        if not IsVerifiedStaff().has_permission(request, view):
            self.message = IsVerifiedStaff.message
            return False
        perm = perms[method]
        return perm is None or request._request.membership.allows(perm)
