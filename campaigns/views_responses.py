"""Responses and sending: drafting, approval by the MP (or a named approver), the send with its
progress, and the office's campaign settings. Approval and sending happen here only (not in the
API), behind two-factor sign-in; starting a send also asks for a fresh code."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import forms, merge, responses, selectors, sending, services
from campaigns import office as office_settings
from campaigns.models import CampaignMember, CampaignSend, ResponseVersion, VersionState
from campaigns.views import campaign_or_404
from security.audit import audit_view
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

SAMPLE_VALUES = {
    "first_name": "Jane",
    "last_name": "Smith",
    "full_name": "Jane Smith",
}


def approver_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The MP, or a member of staff the MP has named (``Membership.approves_for_mp``)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.may_approve:
            raise PermissionDenied("Only the MP, or staff the MP has named, may approve responses.")
        return view(request, *args, **kwargs)

    wrapped = office_required()(checked)
    wrapped.required_perm = Perm.APPROVE_RESPONSES  # type: ignore[attr-defined]
    return wrapped


def _version_or_404(request: HttpRequest, version_id: int) -> ResponseVersion:
    rows = ResponseVersion.objects.for_office(request.office).select_related(
        "campaign", "member__campaign", "member__message", "created_by", "submitted_by", "decided_by"
    )
    return get_for_office_or_404(rows, request.office, pk=version_id)


def _sample(request: HttpRequest, campaign: Any) -> dict[str, str]:
    office = request.office
    name = campaign.name if campaign is not None else "the campaign"
    return {**SAMPLE_VALUES, "mp_name": office.mp_name, "constituency": office.constituency, "campaign": name}


# --- Drafting ---------------------------------------------------------------------------------
def _edit(
    request: HttpRequest, *, heading: str, back: str, latest: ResponseVersion | None, save: Callable[..., Any]
) -> HttpResponse:
    initial = {"subject": latest.subject, "body": latest.body} if latest else None
    form = forms.ResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = save(submit="submit" in request.POST, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            done = "submitted for approval" if version.state == VersionState.SUBMITTED else "saved as a draft"
            messages.success(request, f"Version {version.number} {done}.")
            return redirect("campaigns:version_detail", version_id=version.pk)
    context = {"form": form, "heading": heading, "back": back, "latest": latest, "fields": merge.FIELDS}
    return render(request, "campaigns/response_form.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    return _edit(
        request,
        heading=f"Response to “{campaign.name}”",
        back=reverse("campaigns:campaign_detail", kwargs={"campaign_id": campaign.pk}),
        latest=responses.latest(office=request.office, campaign=campaign),
        save=lambda **data: responses.version_save(
            office=request.office, actor=request.user, campaign=campaign, **data
        ),
    )


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def member_response_edit(request: HttpRequest, campaign_id: int, member_id: int) -> HttpResponse:
    """A personal edit of the response for one message (personalised mode)."""
    campaign = campaign_or_404(request, campaign_id)
    rows = CampaignMember.objects.for_office(request.office).select_related("message__constituent", "campaign")
    member = get_for_office_or_404(rows, request.office, pk=member_id, campaign=campaign)
    audit_view(request, member)
    latest = responses.latest(office=request.office, member=member)
    if latest is None:
        # Start from the campaign's response as this sender would receive it.
        base = responses.latest(office=request.office, campaign=campaign)
        if base is not None:
            values = responses.merge_values(member=member, campaign=campaign)
            latest = ResponseVersion(subject=base.subject, body=merge.render(base.body, values), number=0)
    return _edit(
        request,
        heading=f"Personal reply to {member.reply_name or member.reply_email}",
        back=reverse("campaigns:member_list", kwargs={"campaign_id": campaign.pk}),
        latest=latest,
        save=lambda **data: responses.version_save(office=request.office, actor=request.user, member=member, **data),
    )


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def short_reply_edit(request: HttpRequest) -> HttpResponse:
    """The office's short standard reply to senders outside the constituency."""
    return _edit(
        request,
        heading="Short reply to senders outside the constituency",
        back=reverse("campaigns:settings"),
        latest=responses.latest(office=request.office),
        save=lambda **data: responses.version_save(office=request.office, actor=request.user, **data),
    )


# --- Reviewing and approving ------------------------------------------------------------------
@office_required(Perm.VIEW_CASES)
@require_GET
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    audit_view(request, version)  # a personal edit speaks to one sender
    campaign = version.campaign or (version.member.campaign if version.member else None)
    history = list(responses.chain_of(version).select_related("created_by", "submitted_by", "decided_by"))
    previous = next((v for v in history if v.number < version.number), None)
    membership = request.membership
    context = {
        "version": version,
        "campaign": campaign,
        "history": history,
        "previous": previous,
        "diff": _diff(previous, version) if previous else [],
        "preview_subject": merge.render(version.subject, _sample(request, campaign)),
        "preview_body": merge.render(version.body, _sample(request, campaign)),
        "sendable": responses.is_sendable(version),
        "may_approve": membership.may_approve and version.state == VersionState.SUBMITTED,
        "own_submission": version.submitted_by_id == request.user.pk and membership.role != "mp",
        "can_work": membership.allows(Perm.WORK_CASES),
        "return_form": forms.ReturnForm(),
    }
    return render(request, "campaigns/version_detail.html", context)


def _diff(before: ResponseVersion, after: ResponseVersion) -> list[tuple[str, str]]:
    """Line by line: (kind, text) with kind "+" added, "-" removed, " " unchanged."""
    lines = difflib.ndiff(
        [f"Subject: {before.subject}", *before.body.splitlines()],
        [f"Subject: {after.subject}", *after.body.splitlines()],
    )
    return [(line[0], line[2:]) for line in lines if line[:1] in "+- "]


@office_required(Perm.WORK_CASES)
@require_POST
def version_submit(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    try:
        responses.version_submit(version=version, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version.number} is waiting for approval.")
    return redirect("campaigns:version_detail", version_id=version.pk)


@approver_required
@require_POST
def version_approve(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    try:
        responses.version_approve(version=version, membership=request.membership)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version.number} approved: exactly this text may now be sent.")
    return redirect("campaigns:version_detail", version_id=version.pk)


@approver_required
@require_POST
def version_return(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _version_or_404(request, version_id)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["comment"][0])
        return redirect("campaigns:version_detail", version_id=version.pk)
    try:
        responses.version_return(version=version, membership=request.membership, comment=form.cleaned_data["comment"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version.number} sent back with your comments.")
    return redirect("campaigns:version_detail", version_id=version.pk)


@office_required(Perm.VIEW_CASES)
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.waiting_for_approval(office=request.office)[:200])
    return render(
        request, "campaigns/approvals.html", {"versions": rows, "may_approve": request.membership.may_approve}
    )


# --- Sending --------------------------------------------------------------------------------
@office_required(Perm.SEND_BULK)
@recent_otp_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """What would go to whom (GET), and the send itself (POST, with the version that was shown)."""
    campaign = campaign_or_404(request, campaign_id)
    form = forms.SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = ResponseVersion.objects.for_office(request.office).filter(pk=form.cleaned_data["version"]).first()
        try:
            if version is None:
                raise DomainError("That response version does not exist.")
            started = sending.campaign_send(campaign=campaign, actor=request.user, version=version)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Sending version {version.number} to {started.recipients} people.")
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    found = sending.plan(campaign)
    context = {
        "campaign": campaign,
        "plan": found,
        "form": form,
        "by_version": sorted(found.by_version.items(), key=lambda pair: pair[0].pk),
        "settings": office_settings.settings_for(request.office),
    }
    return render(request, "campaigns/send_confirm.html", context)


def _send_or_404(request: HttpRequest, send_id: int) -> CampaignSend:
    rows = CampaignSend.objects.for_office(request.office).select_related("batch", "version", "campaign")
    return get_for_office_or_404(rows, request.office, pk=send_id)


@office_required(Perm.VIEW_CASES)
@require_GET
def send_progress(request: HttpRequest, send_id: int) -> HttpResponse:
    """The progress bar, polled by htmx (with X-Background-Poll, so it keeps no session alive)."""
    found = _send_or_404(request, send_id)
    # Once done, the pause and cancel buttons go too (out of band: they are not in the polled part).
    context = {"send": found, "progress": sending.progress_many(request.office, [found])[0][1], "polled": True}
    return render(request, "campaigns/_progress_bar.html", context)


@office_required(Perm.SEND_BULK)
@require_POST
def send_state(request: HttpRequest, send_id: int) -> HttpResponse:
    found = _send_or_404(request, send_id)
    try:
        sending.send_set_state(send=found, state=request.POST.get("state", ""), actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Send of version {found.version.number}: {found.batch.get_state_display().lower()}.")
    return redirect("campaigns:campaign_detail", campaign_id=found.campaign_id)


# --- Settings ----------------------------------------------------------------------------------
@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    current = office_settings.settings_for(request.office)
    form = forms.SettingsForm(request.POST or None, instance=office_settings.settings_for(request.office))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.settings_update(office=request.office, actor=request.user, **values)
        messages.success(request, "Campaign settings saved.")
        return redirect("campaigns:settings")
    short = responses.latest(office=request.office)
    context = {"form": form, "settings": current, "short": short, "short_sendable": responses.is_sendable(short)}
    return render(request, "campaigns/settings.html", context)
