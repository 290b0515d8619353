"""Third-party enquiries in API v1: within a case (list, create, change the due date, mark
answered) and the office's due and overdue lists."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.models import Case
from casework.selectors import caller_cases
from constituents.models import Organisation
from correspondence import enquiries
from correspondence.models import OPEN_STATUSES, Direction, Enquiry, Message, SentVia
from mpoffice.lib.workingdays import add_working_days
from security.apierrors import ErrorSerializer
from security.audit import audit_view, audit_view_many
from security.authentication import ApiCaller, api_caller
from security.pagination import ApiPagination, paginated_response
from security.roles import Perm
from security.scoping import get_for_office_or_404

REFUSED = OpenApiResponse(ErrorSerializer, description="Refused: the message says why")
MAX_ID = 2_147_483_647


class EnquirySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    organisation_id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    missing_requirements = serializers.SerializerMethodField()

    class Meta:
        model = Enquiry
        fields = [
            "id",
            "case_id",
            "organisation_id",
            "organisation",
            "question",
            "sent_via",
            "sent_on",
            "target_on",
            "due_on",
            "due_override_reason",
            "status",
            "next_action",
            "next_action_on",
            "escalation_level",
            "chasers_sent",
            "answered_on",
            "reply_working_days",
            "answered_within_target",
            "missing_requirements",
        ]

    def get_missing_requirements(self, enquiry: Enquiry) -> list[str]:
        return enquiries.missing_requirements(enquiry)


def _cases(caller: ApiCaller) -> QuerySet[Case]:
    return caller_cases(office=caller.office, membership=caller.membership)


def _case_or_404(caller: ApiCaller, case_id: int) -> Case:
    return get_for_office_or_404(_cases(caller), caller.office, pk=case_id)


def _enquiries(caller: ApiCaller) -> QuerySet[Enquiry]:
    return (
        Enquiry.objects.for_office(caller.office)
        .filter(case__in=_cases(caller))
        .select_related("organisation")
        .order_by("due_on", "id")
    )


def _enquiry_or_404(caller: ApiCaller, case_id: int, enquiry_id: int) -> Enquiry:
    case = _case_or_404(caller, case_id)
    return get_for_office_or_404(_enquiries(caller).filter(case=case), caller.office, pk=enquiry_id)


class CaseEnquiriesApi(APIView):
    """A case's enquiries, and recording a new one."""

    required_perms = {"GET": Perm.VIEW_CASES, "POST": Perm.WORK_CASES}

    class InputSerializer(serializers.Serializer):
        organisation = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An organisation's id")
        question = serializers.CharField(max_length=5000)
        sent_via = serializers.ChoiceField(choices=SentVia.choices)
        sent_on = serializers.DateField()
        due_override = serializers.DateField(required=False, allow_null=True)
        override_reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
        identifiers = serializers.DictField(child=serializers.CharField(max_length=200), required=False, default=dict)
        written_consent_held = serializers.BooleanField(required=False, default=False)

    @extend_schema(summary="List a case's enquiries", responses=EnquirySerializer(many=True), tags=["enquiries"])
    def get(self, request: Request, case_id: int) -> Response:
        caller = api_caller(request)
        rows = list(_enquiries(caller).filter(case=_case_or_404(caller, case_id)))
        audit_view_many(request, rows)
        return Response(EnquirySerializer(rows, many=True).data)

    @extend_schema(
        summary="Record an enquiry",
        request=InputSerializer,
        responses={201: EnquirySerializer, 400: REFUSED},
        tags=["enquiries"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        caller = api_caller(request)
        case = _case_or_404(caller, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organisation = Organisation.objects.for_office(caller.office).filter(pk=values.pop("organisation")).first()
        if organisation is None:
            raise exceptions.ValidationError({"organisation": ["No organisation of this office has this id."]})
        new = enquiries.NewEnquiry(organisation=organisation, **values)
        enquiry = enquiries.enquiry_create(case=case, actor=caller.actor, new=new)
        return Response(EnquirySerializer(enquiry).data, status=status.HTTP_201_CREATED)


class EnquiryDetailApi(APIView):
    """One enquiry; PATCH changes its due date (with a reason) or records a holding reply."""

    required_perms = {"GET": Perm.VIEW_CASES, "PATCH": Perm.WORK_CASES}

    class PatchSerializer(serializers.Serializer):
        due_on = serializers.DateField(required=False)
        reason = serializers.CharField(required=False, max_length=300)
        holding_reply_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
        holding_reply_working_days = serializers.BooleanField(required=False, default=True)

        def validate(self, data: dict) -> dict:
            if ("due_on" in data) == ("holding_reply_days" in data):
                raise serializers.ValidationError("Send either due_on (with a reason) or holding_reply_days.")
            if "due_on" in data and not data.get("reason", "").strip():
                raise serializers.ValidationError({"reason": ["Give a reason for changing the due date."]})
            return data

    @extend_schema(summary="Get an enquiry", responses=EnquirySerializer, tags=["enquiries"])
    def get(self, request: Request, case_id: int, enquiry_id: int) -> Response:
        enquiry = _enquiry_or_404(api_caller(request), case_id, enquiry_id)
        audit_view(request, enquiry)
        return Response(EnquirySerializer(enquiry).data)

    @extend_schema(
        summary="Change an enquiry's due date, or record a holding reply",
        request=PatchSerializer,
        responses={200: EnquirySerializer, 400: REFUSED},
        tags=["enquiries"],
    )
    def patch(self, request: Request, case_id: int, enquiry_id: int) -> Response:
        caller = api_caller(request)
        enquiry = _enquiry_or_404(caller, case_id, enquiry_id)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "due_on" in values:
            enquiry = enquiries.enquiry_change_due(
                enquiry=enquiry, actor=caller.actor, due_on=values["due_on"], reason=values["reason"]
            )
        else:
            enquiry = enquiries.enquiry_holding_reply(
                enquiry=enquiry,
                actor=caller.actor,
                extra_days=values["holding_reply_days"],
                working_days=values["holding_reply_working_days"],
            )
        return Response(EnquirySerializer(enquiry).data)


class EnquiryAnswerApi(APIView):
    """Mark an enquiry answered, optionally by a message received on its case."""

    required_perms = {"POST": Perm.WORK_CASES}

    class InputSerializer(serializers.Serializer):
        message = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
        answered_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(
        summary="Mark an enquiry answered",
        request=InputSerializer,
        responses={200: EnquirySerializer, 400: REFUSED},
        tags=["enquiries"],
    )
    def post(self, request: Request, case_id: int, enquiry_id: int) -> Response:
        caller = api_caller(request)
        enquiry = _enquiry_or_404(caller, case_id, enquiry_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = None
        if data.validated_data.get("message"):
            message = (
                Message.objects.for_office(caller.office)
                .filter(pk=data.validated_data["message"], case=enquiry.case_id, direction=Direction.INBOUND)
                .first()
            )
            if message is None:
                raise exceptions.ValidationError({"message": ["No message received on this case has this id."]})
        answered_on = data.validated_data.get("answered_on")
        if answered_on is not None and answered_on > timezone.localdate():
            raise exceptions.ValidationError({"answered_on": ["An answer cannot arrive in the future."]})
        enquiry = enquiries.enquiry_answer(
            enquiry=enquiry, actor=caller.actor, message=message, answered_on=answered_on
        )
        return Response(EnquirySerializer(enquiry).data)


class DueEnquiriesApi(APIView):
    """Open enquiries that are overdue (``state=overdue``) or due within five working days (``state=due``)."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=[("due", "Due soon"), ("overdue", "Overdue")], default="overdue")

    @extend_schema(
        summary="List due or overdue enquiries",
        parameters=[FilterSerializer],
        responses=EnquirySerializer(many=True),
        tags=["enquiries"],
    )
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        rows = _enquiries(caller).filter(status__in=OPEN_STATUSES)
        if filters.validated_data["state"] == "overdue":
            rows = rows.filter(due_on__lt=today)
        else:
            rows = rows.filter(due_on__gte=today, due_on__lte=_horizon(caller, today))
        return paginated_response(
            request=request,
            view=self,
            rows=rows,
            serializer_class=EnquirySerializer,
            on_page=lambda page: audit_view_many(request, page),
        )


def _horizon(caller: ApiCaller, today: dt.date) -> dt.date:
    return add_working_days(today, 5, caller.office.nation)
