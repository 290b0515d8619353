"""Request-level security: request ids, session lifetimes, mandatory 2FA and the session's office."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from security import requestcontext
from security.apierrors import error_response
from security.models import Membership, UserSession

Handler = Callable[[HttpRequest], HttpResponse]
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# Background polling (the notification badge) sends this header; it must not keep a session alive.
POLL_HEADER = "HTTP_X_BACKGROUND_POLL"
SESSION_SIGNED_IN_AT = "signed_in_at"
SESSION_LAST_ACTIVE_AT = "last_active_at"
SESSION_OFFICE_ID = "office_id"
# Activity is recorded to the minute, so an idle timeout is exact to within a minute.
ACTIVITY_RESOLUTION_SECONDS = 60


def client_ip(request: HttpRequest) -> str | None:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.AXES_IPWARE_PROXY_COUNT and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-settings.AXES_IPWARE_PROXY_COUNT] if len(hops) >= settings.AXES_IPWARE_PROXY_COUNT else None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives each request an id (kept from a proxy's X-Request-ID when sane) for logs and audit."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        meta = requestcontext.RequestMeta(
            request_id=request_id,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        token = requestcontext.activate(meta)
        try:
            response = self.get_response(request)
        finally:
            requestcontext.deactivate(token)
        response["X-Request-ID"] = request_id
        return response


def _wants_json(request: HttpRequest) -> bool:
    # The docs page is a page: a person is sent to sign in or verify, as anywhere else.
    return request.path.startswith("/api/") and not request.path.startswith("/api/docs/")


class SessionLifetimeMiddleware:
    """Ends sessions idle too long, or older than the absolute lifetime.

    Requests carrying the background-poll header are answered but do not count as activity,
    so a tab left open on the notification badge still times out.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in = request.session.get(SESSION_SIGNED_IN_AT, now)
            last_active = request.session.get(SESSION_LAST_ACTIVE_AT, now)
            if now - last_active > settings.SESSION_IDLE_SECONDS or now - signed_in > settings.SESSION_ABSOLUTE_SECONDS:
                return self._expired(request)
            if POLL_HEADER not in request.META and now - last_active >= ACTIVITY_RESOLUTION_SECONDS:
                self._record_activity(request, now)
            request.session.setdefault(SESSION_SIGNED_IN_AT, now)
        return self.get_response(request)

    @staticmethod
    def _record_activity(request: HttpRequest, now: float) -> None:
        """At most once a minute: writing the session on every request would cost a write per page."""
        request.session[SESSION_LAST_ACTIVE_AT] = now
        if request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_seen_at=datetime.fromtimestamp(now, tz=UTC)
            )

    def _expired(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        if _wants_json(request):
            return error_response(401, "session_expired", "Your session has expired. Sign in again.")
        messages.info(request, "Your session expired. Please sign in again.")
        response = redirect(settings.LOGIN_URL)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(settings.LOGIN_URL)
        return response


def otp_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view a signed-in user may reach before 2FA (enrolment, verification, logout)."""
    view.otp_not_required = True  # type: ignore[attr-defined]
    return view


class TwoFactorRequiredMiddleware:
    """No page shows data to a signed-in user until they have enrolled and verified 2FA."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr]
            return None
        if getattr(view_func, "otp_not_required", False) or getattr(view_func, "login_required", True) is False:
            return None
        if _wants_json(request):
            return error_response(403, "otp_required", "Two-factor verification is required.")
        from django_otp import devices_for_user

        has_device = any(True for _ in devices_for_user(user, confirmed=True))
        target = "security:otp_verify" if has_device else "security:otp_setup"
        return redirect(
            f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            if request.method == "GET"
            else reverse(target)
        )


class OfficeMiddleware:
    """Sets ``request.office`` and ``request.membership`` for the office this session works in.

    A person with one active membership works in it; with several they choose, and the choice
    is kept in the session. A membership deactivated mid-session stops access at once.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.office = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        # Not even the office's name is shown before the second factor.
        if request.user.is_authenticated and request.user.is_verified():
            membership = self._membership(request)
            if membership is not None:
                membership.user = request.user  # already loaded; saves a query per request
                request.membership = membership  # type: ignore[attr-defined]
                request.office = membership.office  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _membership(request: HttpRequest) -> Membership | None:
        memberships = Membership.objects.filter(user=request.user, is_active=True, office__is_active=True)
        chosen = request.session.get(SESSION_OFFICE_ID)
        if chosen is not None:
            found = memberships.select_related("office").filter(office_id=chosen).first()
            if found is not None:
                return found
            request.session.pop(SESSION_OFFICE_ID, None)
        only = list(memberships.select_related("office")[:2])
        if len(only) == 1:
            # Derived on every request, not stored: nothing to go stale if a second office is added.
            return only[0]
        return None
