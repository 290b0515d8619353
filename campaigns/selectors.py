"""Reads for campaign pages and the API. Each takes the office; lists cost a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from campaigns.models import (
    ACTIVE_STATES,
    Campaign,
    CampaignMember,
    CampaignReply,
    CampaignSend,
    ResponseVersion,
    SignatureBand,
    VersionState,
)
from constituents.models import InConstituency
from correspondence.models import Message, OutboxStatus, TriageState
from security.models import Office

OPEN_STATES = ACTIVE_STATES
# A message's bodies and search vector are not shown in lists.
_HEAVY = ("message__html", "message__text", "message__references", "message__search_vector", "message__form_data")


def campaign_list(*, office: Office, states: tuple[str, ...] = OPEN_STATES) -> QuerySet[Campaign]:
    """Campaigns with their counts and the state of their response, newest activity first."""
    latest = (
        ResponseVersion.objects.for_office(office)
        .filter(campaign=OuterRef("pk"), member__isnull=True)
        .order_by("-number")
    )
    return (
        Campaign.objects.for_office(office)
        .filter(state__in=states)
        .annotate(
            member_count=Count("members"),
            constituent_count=Count("members", filter=Q(members__in_constituency=InConstituency.YES)),
            personalised_count=Count("members", filter=Q(members__personalised=True)),
            response_state=Subquery(latest.values("state")[:1]),
            response_number=Subquery(latest.values("number")[:1]),
        )
        .defer("template")
        .order_by("-last_message_at", "-id")
    )


def campaign_for_page(*, office: Office, campaign_id: int) -> Campaign | None:
    return (
        campaign_list(office=office, states=tuple(s for s, _ in Campaign._meta.get_field("state").choices))
        .filter(pk=campaign_id)
        .first()
    )


def _replies(office: Office, status: tuple[str, ...]) -> Exists:
    return Exists(CampaignReply.objects.for_office(office).filter(member=OuterRef("pk"), outgoing__status__in=status))


def members(
    *, campaign: Campaign, filters: dict[str, Any] | None = None, visible: QuerySet[Message] | None = None
) -> QuerySet[CampaignMember]:
    """The campaign's messages with their sender, ward and reply state, newest first.

    ``visible``: the messages the reader may see (one filed to a restricted case may not be).
    """
    filters = filters or {}
    rows = CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign)
    if visible is not None:
        rows = rows.filter(message__in=visible)
    if filters.get("personalised"):
        rows = rows.filter(personalised=True)
    if filters.get("constituency") in InConstituency.values:
        rows = rows.filter(in_constituency=filters["constituency"])
    rows = rows.annotate(
        answered=_replies(campaign.office, (OutboxStatus.SENT,)),
        answering=_replies(campaign.office, (OutboxStatus.QUEUED, OutboxStatus.SENDING)),
        reply_failed=_replies(campaign.office, (OutboxStatus.FAILED,)),
        has_edit=Exists(ResponseVersion.objects.for_office(campaign.office).filter(member=OuterRef("pk"))),
    )
    status = filters.get("status")
    if status == "answered":
        rows = rows.filter(answered=True)
    elif status == "unanswered":
        rows = rows.filter(answered=False, answering=False)
    elif status == "failed":
        rows = rows.filter(reply_failed=True, answered=False, answering=False)
    return rows.select_related("message", "message__constituent", "ward").defer(*_HEAVY).order_by("-received_at", "-id")


def volume(campaign: Campaign, *, hourly: bool) -> list[tuple[Any, int]]:
    """Messages per day (or per hour), in the office's time zone."""
    trunc = TruncHour if hourly else TruncDate
    rows = (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .annotate(slot=trunc("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("slot")
        .annotate(n=Count("id"))
        .order_by("slot")
    )
    return list(rows)


def by_constituency(campaign: Campaign) -> dict[str, int]:
    counts = dict.fromkeys(InConstituency.values, 0)
    rows = (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .values_list("in_constituency")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def by_ward(campaign: Campaign, limit: int = 12) -> list[tuple[str, int]]:
    rows = (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign, ward__isnull=False)
        .values_list("ward__name")
        .annotate(n=Count("id"))
        .order_by("-n", "ward__name")[:limit]
    )
    return list(rows)


def reply_states(campaign: Campaign) -> dict[str, int]:
    """Members answered, being answered, whose reply failed, and not answered."""
    rows = (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .annotate(
            s=_replies(campaign.office, (OutboxStatus.SENT,)),
            q=_replies(campaign.office, (OutboxStatus.QUEUED, OutboxStatus.SENDING)),
            f=_replies(campaign.office, (OutboxStatus.FAILED,)),
        )
        .aggregate(
            total=Count("pk"),
            sent=Count("pk", filter=Q(s=True)),
            pending=Count("pk", filter=Q(s=False, q=True)),
            failed=Count("pk", filter=Q(s=False, q=False, f=True)),
        )
    )
    rows["unanswered"] = rows["total"] - rows["sent"] - rows["pending"] - rows["failed"]
    return rows


def versions(*, office: Office, campaign: Campaign | None = None) -> QuerySet[ResponseVersion]:
    rows = ResponseVersion.objects.for_office(office).filter(member__isnull=True)
    rows = rows.filter(campaign=campaign) if campaign is not None else rows.filter(campaign__isnull=True)
    return rows.select_related("created_by", "submitted_by", "decided_by").order_by("-number")


def waiting_for_approval(*, office: Office) -> QuerySet[ResponseVersion]:
    return (
        ResponseVersion.objects.for_office(office)
        .filter(state=VersionState.SUBMITTED)
        .select_related("campaign", "member__campaign", "submitted_by")
        .order_by("submitted_at", "id")
    )


def sends(*, campaign: Campaign) -> QuerySet[CampaignSend]:
    return (
        CampaignSend.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .select_related("batch", "version", "started_by")
        .order_by("-started_at", "-id")
    )


def possible_members(*, campaign: Campaign, limit: int = 20) -> QuerySet[Message]:
    """Messages still in triage that share an LSH band with the campaign's messages: near misses
    a caseworker may want to move in."""
    keys = SignatureBand.objects.for_office(campaign.office).filter(
        signature__message__campaign_member__campaign=campaign
    )
    near = (
        SignatureBand.objects.for_office(campaign.office)
        .filter(key__in=keys.values("key"))
        .values("signature__message_id")
    )
    return (
        Message.objects.for_office(campaign.office)
        .filter(pk__in=near, triage_state=TriageState.NEW, campaign_member__isnull=True)
        .select_related("constituent")
        .defer("html", "text", "references", "search_vector", "form_data")
        .order_by("-received_at", "-id")[:limit]
    )


def merge_targets(*, campaign: Campaign) -> QuerySet[Campaign]:
    return (
        Campaign.objects.for_office(campaign.office)
        .filter(state__in=OPEN_STATES)
        .exclude(pk=campaign.pk)
        .defer("template")
        .order_by("name")
    )
