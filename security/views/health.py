"""The security health check for managers: staff and their 2FA, failed sign-ins, exports,
erasures and retention over a period."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from security.audit import audit_record
from security.dataprotection import health
from security.decorators import office_required
from security.roles import Perm


class HealthForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period", coerce=int, choices=[(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
    )
    stale_days = forms.TypedChoiceField(
        label="Stale after",
        coerce=int,
        choices=[(30, "30 days without signing in"), (60, "60 days"), (90, "90 days")],
    )


@office_required(Perm.DATA_PROTECTION)
@require_GET
def security_health(request: HttpRequest) -> HttpResponse:
    form = HealthForm(request.GET or {"days": 30, "stale_days": 60})
    days, stale_days = (form.cleaned_data["days"], form.cleaned_data["stale_days"]) if form.is_valid() else (30, 60)
    now = timezone.now()
    since = now - dt.timedelta(days=days)
    staff = health.staff(office=request.office, stale_before=now - dt.timedelta(days=stale_days))
    audit_record(verb="security.health.viewed", office=request.office, actor=request.user)
    context = {
        "form": form,
        "days": days,
        "stale_days": stale_days,
        "staff": staff,
        "without_2fa": sum(1 for m in staff if m.is_active and not m.authenticators),
        "stale": sum(1 for m in staff if m.is_stale),
        "failed_sign_ins": health.failed_sign_ins(office=request.office, since=since),
        "failed_codes": list(health.failed_codes(office=request.office, since=since)),
        "activity": health.activity(office=request.office, since=since),
    }
    return render(request, "security/dataprotection/health.html", context)
