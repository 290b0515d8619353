"""Sign-in, two-factor enrolment and verification, sign-out, and accepting an invitation."""

from __future__ import annotations

import math
import time

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import login, logout, user_logged_in, user_login_failed
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from security import requestcontext, services
from security.audit import audit_record
from security.decorators import SESSION_OTP_AT
from security.errors import DomainError
from security.forms import EmailLoginForm, InvitationAcceptForm, OTPTokenForm
from security.middleware import SESSION_LAST_ACTIVE_AT, SESSION_SIGNED_IN_AT, otp_not_required
from security.models import ActorKind
from security.qr import qr_svg


def _safe_next(request: HttpRequest, default: str = "security:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_safe_next(request))
    form = EmailLoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            _sign_in(request, form.get_user())
            return redirect(_with_next("security:otp_verify", _safe_next(request, "/")))
        audit_record(verb="security.login.failed", office=None, actor_kind=ActorKind.PUBLIC)
    return render(request, "security/login.html", {"form": form, "next": _safe_next(request, "")})


@transaction.atomic
def _sign_in(request: HttpRequest, user: object, backend: str | None = None) -> None:
    login(request, user, backend=backend)
    now = time.time()
    request.session[SESSION_SIGNED_IN_AT] = now
    request.session[SESSION_LAST_ACTIVE_AT] = now
    request.session.save()
    meta = requestcontext.current()
    services.session_register(
        user=user, session_key=request.session.session_key, ip=meta.ip, user_agent=meta.user_agent
    )
    audit_record(verb="security.login.password_ok", office=None, actor=user, obj=user)


@otp_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(
            verb="security.logout", office=getattr(request, "office", None), actor=request.user, obj=request.user
        )
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("security:login")


def _otp_locked(request: HttpRequest) -> bool:
    return AxesProxyHandler.is_locked(request, credentials={"username": request.user.email})


def _otp_failed(request: HttpRequest, form: OTPTokenForm) -> None:
    """A wrong code counts toward lockout exactly as a wrong password does."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.email}, request=request)
    audit_record(verb="security.otp.failed", office=None, actor=request.user, obj=request.user)
    form.add_error("otp_token", "That code is not valid, or has already been used. Try the newest code.")


def _throttled_seconds(user: object) -> int:
    """Seconds until django-otp accepts another code after recent wrong ones (0: now)."""
    from django_otp import devices_for_user
    from django_otp.models import VerifyNotAllowed

    for device in devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
    return 0


def _check_code(request: HttpRequest, form: OTPTokenForm) -> object | None:
    """The device the code matched, or None with the reason on the form."""
    wait = _throttled_seconds(request.user)
    if wait:
        # Not a failure: the person typed too fast after a wrong code; the right one must still work.
        form.add_error("otp_token", f"Please wait {wait} second{'s' if wait != 1 else ''}, then enter the newest code.")
        return None
    device = match_token(request.user, form.cleaned_data["otp_token"])
    if device is None:
        _otp_failed(request, form)
    return device


def _mark_verified(request: HttpRequest, device: object) -> None:
    otp_login(request, device)
    request.session[SESSION_OTP_AT] = time.time()
    # Resets axes' failure count for this person: the second factor succeeded too.
    user_logged_in.send(sender=__name__, request=request, user=request.user)


@otp_not_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_safe_next(request))
    from django_otp import devices_for_user

    if not any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect(_with_next("security:otp_setup", _safe_next(request, "/")))
    if _otp_locked(request):
        return render(request, "security/locked_out.html", status=429)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _check_code(request, form)
        if device is not None:
            _mark_verified(request, device)
            audit_record(verb="security.otp.verified", office=None, actor=request.user, obj=request.user)
            return redirect(_safe_next(request))
    return render(request, "security/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@otp_not_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, type the first code, keep the backup codes."""
    from django_otp import devices_for_user

    if any(True for _ in devices_for_user(request.user, confirmed=True)) and not request.user.is_verified():
        return redirect("security:otp_verify")
    device = services.totp_device_pending(user=request.user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(user=request.user, device=device, token=form.cleaned_data["otp_token"])
        except DomainError as error:
            form.add_error("otp_token", str(error))
        else:
            _mark_verified(request, device)
            return render(request, "security/backup_codes.html", {"codes": codes, "next": _safe_next(request, "/")})
    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": _base32(device.bin_key),
        "next": _safe_next(request, ""),
    }
    return render(request, "security/otp_setup.html", context)


def _base32(key: bytes) -> str:
    from base64 import b32encode

    encoded = b32encode(key).decode()
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


@require_http_methods(["GET", "POST"])
def otp_confirm(request: HttpRequest) -> HttpResponse:
    """Ask a verified user for a fresh code before a sensitive action."""
    if _otp_locked(request):
        return render(request, "security/locked_out.html", status=429)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _check_code(request, form)
        if device is not None:
            _mark_verified(request, device)
            audit_record(verb="security.otp.reconfirmed", office=None, actor=request.user, obj=request.user)
            return redirect(_safe_next(request))
    return render(request, "security/otp_confirm.html", {"form": form, "next": _safe_next(request, "")})


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as error:
        return render(request, "security/invitation_invalid.html", {"reason": str(error)}, status=410)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if request.user.is_authenticated:
                logout(request)
            _sign_in(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["office_id"] = invitation.office_id
            return redirect("security:otp_setup")
    return render(request, "security/invitation_accept.html", {"form": form, "invitation": invitation})
