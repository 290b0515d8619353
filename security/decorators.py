"""Declared permissions for views: the office's role table decides, not the view body."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_OTP_AT = "otp_verified_at"


def office_required(perm: str | None = None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view needs an office chosen for this session, and (optionally) a permission in it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                return redirect("security:office_choose")
            if perm is not None and not membership.allows(perm):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def recent_otp_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sensitive actions (exports, role changes, tokens, erasure) ask for a fresh code first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verified_at = request.session.get(SESSION_OTP_AT, 0)
        if time.time() - verified_at > settings.SENSITIVE_ACTION_OTP_SECONDS:
            # A POST cannot be replayed after the detour, so return to the page it came from.
            back = request.get_full_path() if request.method == "GET" else request.headers.get("Referer", "")
            target = reverse("security:otp_confirm")
            if back.startswith("/") or back.startswith(settings.SITE_URL):
                target += f"?next={back.removeprefix(settings.SITE_URL)}"
            return redirect(target)
        return view(request, *args, **kwargs)

    return wrapped
