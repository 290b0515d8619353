"""Campaigns in the REST API: read only. Approving and sending happen in the browser, behind 2FA."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import responses, selectors
from campaigns.models import ACTIVE_STATES, Campaign, CampaignMember, CampaignState, VersionState
from campaigns.serializers import (
    CampaignDetailSerializer,
    CampaignSerializer,
    MemberSerializer,
    ResponseVersionSerializer,
)
from constituents.models import InConstituency
from correspondence.models import Message
from correspondence.selectors import visible_messages
from security.audit import audit_view, audit_view_many
from security.authentication import ApiCaller, api_caller
from security.pagination import ApiPagination, paginated_response
from security.roles import Perm
from security.scoping import get_for_office_or_404
from security.serializers import SearchTextField

STATES = [("open", "Detected or confirmed"), ("all", "Every campaign"), *CampaignState.choices]


def _choice_error(what: str, choices: list[tuple[str, str]]) -> dict[str, str]:
    values = ", ".join(value for value, _ in choices)
    return {"invalid_choice": f"“{{input}}” is not {what}. Use one of: {values}."}


def _campaign_or_404(caller: ApiCaller, campaign_id: int) -> Campaign:
    every = tuple(CampaignState.values)
    return get_for_office_or_404(
        selectors.campaign_list(office=caller.office, states=every), caller.office, pk=campaign_id
    )


def _visible(caller: ApiCaller) -> QuerySet[Message]:
    """The messages the caller may see: a token never sees one filed to a restricted case."""
    if caller.membership is None:
        return Message.objects.for_office(caller.office).filter(Q(case__isnull=True) | Q(case__restricted=False))
    return visible_messages(office=caller.office, membership=caller.membership)


class CampaignListApi(APIView):
    """The office's campaigns with their counts, newest activity first."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(
            choices=STATES, default="open", error_messages=_choice_error("a campaign state", STATES)
        )
        q = SearchTextField(help_text="Part of the campaign's name")

    @extend_schema(summary="List campaigns", parameters=[FilterSerializer], responses=CampaignSerializer(many=True))
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        state = filters.validated_data["state"]
        states = {"open": ACTIVE_STATES, "all": tuple(CampaignState.values)}.get(state, (state,))
        rows = selectors.campaign_list(office=caller.office, states=states)
        if filters.validated_data["q"]:
            rows = rows.filter(name__icontains=filters.validated_data["q"])
        return paginated_response(request=request, view=self, rows=rows, serializer_class=CampaignSerializer)


class CampaignDetailApi(APIView):
    """One campaign: counts, constituents and others, wards, replies, and its newest response version."""

    required_perms = {"GET": Perm.VIEW_CASES}

    @extend_schema(summary="Get a campaign", responses=CampaignDetailSerializer)
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = _campaign_or_404(api_caller(request), campaign_id)
        audit_view(request, campaign)
        campaign.constituency = selectors.by_constituency(campaign)
        campaign.wards = [{"ward": name, "messages": n} for name, n in selectors.by_ward(campaign)]
        campaign.replies = selectors.reply_states(campaign)
        campaign.response = responses.latest(office=campaign.office, campaign=campaign)
        return Response(CampaignDetailSerializer(campaign).data)


class CampaignMemberListApi(APIView):
    """The campaign's messages, with the sender, their constituency and the reply's state."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        CONSTITUENCY = InConstituency.choices
        REPLIES = [("unanswered", "Not answered"), ("answered", "Answered"), ("failed", "Reply failed")]

        personalised = serializers.BooleanField(required=False, default=False, help_text="Only the personalised")
        constituency = serializers.ChoiceField(
            choices=CONSTITUENCY, required=False, error_messages=_choice_error("yes, no or unknown", CONSTITUENCY)
        )
        status = serializers.ChoiceField(
            choices=REPLIES, required=False, error_messages=_choice_error("a reply state", REPLIES)
        )

    @extend_schema(
        summary="List a campaign's messages", parameters=[FilterSerializer], responses=MemberSerializer(many=True)
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        caller = api_caller(request)
        campaign = _campaign_or_404(caller, campaign_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows: QuerySet[CampaignMember] = selectors.members(
            campaign=campaign, filters=filters.validated_data, visible=_visible(caller)
        )
        return paginated_response(
            request=request,
            view=self,
            rows=rows,
            serializer_class=MemberSerializer,
            on_page=lambda page: audit_view_many(request, page),
        )


class CampaignResponseListApi(APIView):
    """Every version of the campaign's response, newest first (personal edits are not listed)."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    @extend_schema(summary="List a campaign's response versions", responses=ResponseVersionSerializer(many=True))
    def get(self, request: Request, campaign_id: int) -> Response:
        caller = api_caller(request)
        campaign = _campaign_or_404(caller, campaign_id)
        rows = selectors.versions(office=caller.office, campaign=campaign)
        newest = rows.aggregate(n=Max("number"))["n"]
        return paginated_response(
            request=request,
            view=self,
            rows=rows,
            serializer_class=ResponseVersionSerializer,
            on_page=lambda page: _mark_sendable(page, newest),
        )


def _mark_sendable(page: list[Any], newest: int | None) -> None:
    for version in page:
        version.sendable = (
            version.number == newest
            and version.state == VersionState.APPROVED
            and version.approved_digest == responses.digest(version.subject, version.body)
        )
