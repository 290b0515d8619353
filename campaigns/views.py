"""Campaign pages: the list, one campaign (volume, constituents, wards, replies), its messages, and
what caseworkers do with them (confirm, rename, merge, split, dissolve, move messages in and out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import forms, responses, selectors, sending, services, text
from campaigns.models import ACTIVE_STATES, Campaign, CampaignMember, CampaignState
from correspondence.models import Message
from correspondence.selectors import visible_messages
from security.audit import audit_view, audit_view_many
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 50
CHART_DAYS = 60
CHART_SLOTS = 24
SENDS_SHOWN = 5


def campaign_or_404(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_for_office_or_404(Campaign.objects.for_office(request.office), request.office, pk=campaign_id)


def _member_or_404(request: HttpRequest, campaign: Campaign, member_id: int) -> CampaignMember:
    rows = CampaignMember.objects.for_office(request.office).select_related("message", "campaign")
    return get_for_office_or_404(rows, request.office, pk=member_id, campaign=campaign)


@office_required(Perm.VIEW_CASES)
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    states = (CampaignState.MERGED, CampaignState.DISSOLVED) if show == "closed" else ACTIVE_STATES
    rows = selectors.campaign_list(office=request.office, states=states)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {"page": page, "show": show})


@office_required(Perm.VIEW_CASES)
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_for_page(office=request.office, campaign_id=campaign_id)
    if campaign is None:
        raise Http404("No campaign here.")
    audit_view(request, campaign)
    membership = request.membership
    latest = responses.latest(office=request.office, campaign=campaign)
    can_work = membership.allows(Perm.WORK_CASES) and campaign.is_active
    context = {
        "campaign": campaign,
        "chart": _chart(campaign),
        "constituency": selectors.by_constituency(campaign),
        "wards": selectors.by_ward(campaign),
        "replies": selectors.reply_states(campaign),
        "latest": latest,
        "sendable": responses.is_sendable(latest),
        "sends": sending.progress_many(request.office, list(selectors.sends(campaign=campaign)[:SENDS_SHOWN])),
        "possible": list(selectors.possible_members(campaign=campaign)) if can_work else [],
        "mode_form": forms.ModeForm(initial={"mode": campaign.mode, "reply_to_later": campaign.reply_to_later}),
        "can_work": can_work,
        "can_send": membership.allows(Perm.SEND_BULK) and campaign.is_active,
        "may_approve": membership.may_approve,
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _chart(campaign: Campaign) -> dict[str, Any]:
    """Bars of messages per hour (a campaign of a day or two) or per day (the last CHART_DAYS), as SVG."""
    span = campaign.last_message_at - campaign.first_message_at
    hourly = span <= dt.timedelta(hours=48)
    volume = selectors.volume(campaign, hourly=hourly)
    if not volume:
        return {"bars": [], "rows": []}
    step = dt.timedelta(hours=1) if hourly else dt.timedelta(days=1)
    counts = dict(volume)
    last = volume[-1][0]
    first = max(volume[0][0], last - step * (CHART_DAYS - 1))
    slots = [first + step * n for n in range(int((last - first) / step) + 1)]
    peak = max(counts.get(slot, 0) for slot in slots) or 1
    bars = []
    for index, slot in enumerate(slots):
        n = counts.get(slot, 0)
        height = round(90 * n / peak, 1)
        bars.append({"x": index * 12 + 1, "y": 95 - height, "height": height, "slot": slot, "n": n})
    # At least CHART_SLOTS wide, so a new campaign's few bars stay bars.
    width = max(len(slots), CHART_SLOTS) * 12 + 2
    rows = [(slot, counts.get(slot, 0)) for slot in slots]
    return {"bars": bars, "width": width, "peak": peak, "rows": rows, "hourly": hourly}


@office_required(Perm.VIEW_CASES)
@require_GET
def member_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    visible = visible_messages(office=request.office, membership=request.membership)
    rows = selectors.members(campaign=campaign, filters=filters, visible=visible)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    audit_view_many(request, rows)
    added = _what_they_added(campaign, [row for row in rows if row.personalised])
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "rows": [(row, added.get(row.pk, [])) for row in rows],
        "can_work": request.membership.allows(Perm.WORK_CASES) and campaign.is_active,
        "personalised_mode": campaign.mode == "personalised",
    }
    return render(request, "campaigns/member_list.html", context)


def _what_they_added(campaign: Campaign, members: list[CampaignMember]) -> dict[int, list[str]]:
    if not members:
        return {}
    bodies = dict(
        Message.objects.for_office(campaign.office)
        .filter(pk__in=[m.message_id for m in members])
        .values_list("pk", "text")
    )
    template = text.from_bytes(campaign.template)
    return {m.pk: text.own_sentences(bodies.get(m.message_id, ""), template)[:6] for m in members}


def _done(request: HttpRequest, campaign: Campaign, note: str) -> HttpResponse:
    messages.success(request, note)
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


def _refused(request: HttpRequest, campaign: Campaign, error: DomainError) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@office_required(Perm.WORK_CASES)
@require_POST
def campaign_confirm(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    try:
        services.campaign_confirm(campaign=campaign, actor=request.user)
    except DomainError as error:
        return _refused(request, campaign, error)
    return _done(request, campaign, "Confirmed as a campaign.")


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def campaign_rename(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.RenameForm(request.POST or None, initial={"name": campaign.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_rename(campaign=campaign, actor=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error("name", str(error))
        else:
            return _done(request, campaign, "Renamed.")
    return render(request, "campaigns/campaign_rename.html", {"campaign": campaign, "form": form})


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def campaign_merge(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.MergeForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        try:
            services.campaign_merge(source=campaign, target=target, actor=request.user)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, target, f"“{campaign.name}” merged into this campaign.")
    return render(request, "campaigns/campaign_merge.html", {"campaign": campaign, "form": form})


@office_required(Perm.WORK_CASES)
@require_POST
def campaign_split(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.SplitForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("campaigns:member_list", campaign_id=campaign.pk)
    try:
        new = services.campaign_split(
            campaign=campaign, members=form.cleaned_data["members"], actor=request.user, name=form.cleaned_data["name"]
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("campaigns:member_list", campaign_id=campaign.pk)
    return _done(request, new, f"Split off from “{campaign.name}”.")


@office_required(Perm.WORK_CASES)
@require_POST
def campaign_dissolve(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    try:
        services.campaign_dissolve(campaign=campaign, actor=request.user)
    except DomainError as error:
        return _refused(request, campaign, error)
    messages.success(request, f"“{campaign.name}” is not a campaign: its messages are back in triage.")
    return redirect("campaigns:campaign_list")


@office_required(Perm.WORK_CASES)
@require_POST
def campaign_mode(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.ModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the campaign is answered.")
        return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    try:
        services.campaign_set_mode(campaign=campaign, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, campaign, error)
    return _done(request, campaign, "Saved how the campaign is answered.")


@office_required(Perm.WORK_CASES)
@require_POST
def member_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    form = forms.AddMessageForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    try:
        services.member_add(campaign=campaign, message=form.cleaned_data["message"], actor=request.user)
    except DomainError as error:
        return _refused(request, campaign, error)
    return _done(request, campaign, "Message moved into the campaign.")


@office_required(Perm.WORK_CASES)
@require_POST
def member_remove(request: HttpRequest, campaign_id: int, member_id: int) -> HttpResponse:
    campaign = campaign_or_404(request, campaign_id)
    member = _member_or_404(request, campaign, member_id)
    try:
        services.member_remove(member=member, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Message moved out of the campaign and back to triage.")
    return redirect("campaigns:member_list", campaign_id=campaign.pk)
