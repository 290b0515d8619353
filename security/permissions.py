"""DRF permissions. A session's API calls obey the same 2FA and office rules as its pages."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


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
