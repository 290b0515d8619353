"""The office's retention policy: edit as a draft, review its dry run, confirm; recent sweeps."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from security.dataprotection import retention
from security.dataprotection.forms import RetentionConfirmForm, RetentionPolicyForm
from security.dataprotection.models import RetentionRun
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm

RECENT_RUNS = 14


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
def retention_policy(request: HttpRequest) -> HttpResponse:
    policy = retention.policy_get(request.office)
    periods = (policy.draft_periods if policy and policy.draft_periods is not None else None) or (
        policy.periods if policy else {}
    )
    overrides = (policy.draft_overrides if policy and policy.draft_periods is not None else None) or (
        policy.overrides if policy else {}
    )
    form = RetentionPolicyForm(request.POST or None, office=request.office, periods=periods, overrides=overrides)
    if request.method == "POST" and form.is_valid():
        try:
            retention.policy_draft(
                office=request.office, actor=request.user, periods=form.periods(), overrides=form.overrides()
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved as a draft. Review what it would remove, then confirm it.")
            return redirect("security:retention_preview")
    runs = RetentionRun.objects.for_office(request.office).order_by("-run_on", "-id")[:RECENT_RUNS]
    context = {
        "policy": policy,
        "form": form,
        "runs": runs,
        "current": _described(policy.periods if policy and policy.confirmed_at else {}),
    }
    return render(request, "security/dataprotection/retention.html", context)


def _described(periods: dict) -> list[tuple[str, str]]:
    from security.personal_data import Retention

    return [(label, retention.months_display(periods.get(value))) for value, label in Retention.choices]


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
def retention_preview(request: HttpRequest) -> HttpResponse:
    """The dry run of the draft: what it would remove today. Confirm, or discard the draft."""
    policy = retention.policy_get(request.office)
    if policy is None or policy.draft_periods is None:
        messages.info(request, "There is no draft to review: change the policy first.")
        return redirect("security:retention")
    form = RetentionConfirmForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "discard":
        retention.policy_discard_draft(office=request.office, actor=request.user)
        messages.success(request, "The draft is discarded; the policy is unchanged.")
        return redirect("security:retention")
    if request.method == "POST" and form.is_valid():
        try:
            retention.policy_confirm(
                office=request.office, actor=request.user, remove_all_confirmed=form.cleaned_data["remove_all"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The policy is confirmed. The nightly sweep applies it from tonight.")
            return redirect("security:retention")
    previews = retention.preview(
        office=request.office, periods=policy.draft_periods, overrides=policy.draft_overrides or {}
    )
    context = {
        "previews": previews,
        "form": form,
        "removes_all": any(p.removes_all for p in previews),
        "draft": _described(policy.draft_periods),
    }
    return render(request, "security/dataprotection/retention_preview.html", context)
