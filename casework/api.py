"""The casework part of the REST API: cases, their timeline, and the tag vocabulary.

Thin: inputs are validated here, writes go through ``casework.services``. What a caller may
see is decided by ``_cases``: a member sees what the case pages show them; a token never
sees a restricted case, in a list or by id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors, services
from casework.models import Case, CaseStatus, CloseReason, LawfulBasis, Priority, Tag
from casework.serializers import CaseEventSerializer, CaseSerializer, TagSerializer
from constituents.models import Constituent
from security.apierrors import Conflict, ErrorSerializer
from security.audit import audit_view, audit_view_many
from security.authentication import ApiCaller, api_caller
from security.models import User
from security.pagination import ApiPagination, paginated_response
from security.roles import Perm
from security.scoping import get_for_office_or_404
from security.serializers import SearchTextField

CONFLICT = OpenApiResponse(ErrorSerializer, description="The case changed since `version` was read.")
SORTS = {"newest": ("-opened_at", "-id"), "oldest": ("opened_at", "id"), "due": ("response_due_on", "id")}


def _cases(caller: ApiCaller) -> QuerySet[Case]:
    return selectors.caller_cases(office=caller.office, membership=caller.membership)


def _with_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("constituent", "assignee").prefetch_related("tags")


def _case_or_404(caller: ApiCaller, case_id: int) -> Case:
    """Another office's case and a case the caller may not see are both 404."""
    return get_for_office_or_404(_with_details(_cases(caller)), caller.office, pk=case_id)


def _members(office: Any) -> QuerySet[User]:
    return User.objects.filter(memberships__office=office, memberships__is_active=True)


def _choice_error(what: str, choices: list[tuple[str, str]]) -> dict[str, str]:
    values = ", ".join(value for value, _ in choices)
    return {"invalid_choice": f"“{{input}}” is not {what}. Use one of: {values}."}


class CaseInputBase(serializers.Serializer):
    """Fields shared by opening and editing a case; the view passes ``caller`` (and ``case``)."""

    summary = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, error_messages=_choice_error("a priority", Priority.choices)
    )
    restricted = serializers.BooleanField(
        required=False, help_text="Only the assignee, managers and the MP see it. Not for API tokens."
    )
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices, required=False)
    consent_how = serializers.CharField(max_length=200, required=False, allow_blank=True)
    consent_at = serializers.DateTimeField(required=False, allow_null=True)
    may_contact_third_parties = serializers.BooleanField(required=False)
    tags = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=50,
        required=False,
        help_text="Ids of active tags of the office's vocabulary (GET /api/v1/tags)",
    )

    @property
    def caller(self) -> ApiCaller:
        return self.context["caller"]

    def validate_restricted(self, value: bool) -> bool:
        if value and self.caller.is_token:
            raise serializers.ValidationError("Restricted cases are for staff only: an API token cannot make one.")
        return value

    def validate_tags(self, value: list[int]) -> list[Tag]:
        found = Tag.objects.for_office(self.caller.office).in_bulk(value)
        unknown = [str(pk) for pk in value if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"No tag of this office has the id {', '.join(unknown)}.")
        retired = [found[pk].name for pk in value if not found[pk].is_active]
        if retired:
            raise serializers.ValidationError(f"These tags are retired: {', '.join(retired)}. Choose active ones.")
        return list(dict.fromkeys(found[pk] for pk in value))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        case: Case | None = self.context.get("case")

        def current(name: str) -> Any:
            return data[name] if name in data else getattr(case, name, None)

        if current("lawful_basis") == LawfulBasis.EXPLICIT_CONSENT and not (
            current("consent_how") and current("consent_at")
        ):
            raise serializers.ValidationError("With explicit consent, record how (consent_how) and when (consent_at).")
        return data


class CaseListApi(APIView):
    """The cases the caller may see, filtered and sorted; open a case."""

    required_perms = {"GET": Perm.VIEW_CASES, "POST": Perm.WORK_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        STATUSES = [("active", "Not closed"), *CaseStatus.choices]

        status = serializers.ChoiceField(
            choices=STATUSES, required=False, error_messages=_choice_error("a status", STATUSES)
        )
        assignee = serializers.CharField(
            required=False, max_length=20, help_text="“me” (sessions), “none”, or a member's id"
        )
        tag = serializers.IntegerField(required=False, min_value=1, help_text="A tag's id")
        priority = serializers.ChoiceField(
            choices=Priority.choices, required=False, error_messages=_choice_error("a priority", Priority.choices)
        )
        q = SearchTextField(help_text="Part of the reference, the summary or the constituent's last name")
        sort = serializers.ChoiceField(
            choices=list(SORTS), default="newest", error_messages=_choice_error("a sort", [(s, s) for s in SORTS])
        )

        def validate_assignee(self, value: str) -> Any:
            caller: ApiCaller = self.context["caller"]
            if value == "me":
                if caller.actor is None:
                    raise serializers.ValidationError("An API token has no cases of its own: use a member's id.")
                return caller.actor
            if value == "none":
                return value
            member = _members(caller.office).filter(pk=value).first() if value.isdigit() else None
            if member is None:
                raise serializers.ValidationError(
                    f"“{value}” is not “me”, “none” or the id of a member of this office."
                )
            return member

        def validate_tag(self, value: int) -> Tag:
            tag = Tag.objects.for_office(self.context["caller"].office).filter(pk=value).first()
            if tag is None:
                raise serializers.ValidationError(f"No tag of this office has the id {value}.")
            return tag

    class InputSerializer(CaseInputBase):
        constituent = serializers.PrimaryKeyRelatedField(
            queryset=Constituent.unscoped.none(),
            error_messages={"does_not_exist": "No constituent of this office has the id {pk_value}."},
        )
        summary = serializers.CharField(max_length=200)
        assignee = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.none(),
            allow_null=True,
            required=False,
            error_messages={"does_not_exist": "No member of this office has the id {pk_value}."},
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if "caller" in self.context:  # not when the schema is generated
                office = self.caller.office
                self.fields["constituent"].queryset = Constituent.objects.for_office(office)
                self.fields["assignee"].queryset = _members(office)

    @extend_schema(summary="List cases", parameters=[FilterSerializer], responses=CaseSerializer(many=True))
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        filters = self.FilterSerializer(data=request.query_params, context={"caller": caller})
        filters.is_valid(raise_exception=True)
        cases = _filtered(_cases(caller), filters.validated_data)
        return paginated_response(
            request=request,
            view=self,
            rows=_with_details(cases),
            serializer_class=CaseSerializer,
            on_page=lambda page: audit_view_many(request, page),
        )

    @extend_schema(summary="Open a case", request=InputSerializer, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        caller = api_caller(request)
        data = self.InputSerializer(data=request.data, context={"caller": caller})
        data.is_valid(raise_exception=True)
        case = services.case_open(office=caller.office, opened_by=caller.actor, **data.validated_data)
        return Response(CaseSerializer(_case_or_404(caller, case.pk)).data, status=status.HTTP_201_CREATED)


def _filtered(cases: QuerySet[Case], filters: dict[str, Any]) -> QuerySet[Case]:
    """The case list's filters (as on the case list page), over what the caller may see."""
    return selectors.filter_cases(cases, filters).order_by(*SORTS[filters["sort"]])


class CaseDetailApi(APIView):
    """One case; change its details, status, assignee or tags in one go."""

    required_perms = {"GET": Perm.VIEW_CASES, "PATCH": Perm.WORK_CASES}

    class InputSerializer(CaseInputBase):
        OPEN_STATUSES = [choice for choice in CaseStatus.choices if choice[0] != CaseStatus.CLOSED]

        version = serializers.IntegerField(
            min_value=1, max_value=2_147_483_647, help_text="The version you read: a stale one is refused (409)"
        )
        status = serializers.ChoiceField(
            choices=OPEN_STATUSES,
            required=False,
            error_messages=_choice_error("a status you can set here (close with POST …/close)", OPEN_STATUSES),
        )
        assignee = serializers.PrimaryKeyRelatedField(
            queryset=User.objects.none(),
            allow_null=True,
            required=False,
            error_messages={"does_not_exist": "No member of this office has the id {pk_value}."},
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if "caller" in self.context:  # not when the schema is generated
                self.fields["assignee"].queryset = _members(self.caller.office)

    @extend_schema(summary="Get a case", responses=CaseSerializer)
    def get(self, request: Request, case_id: int) -> Response:
        case = _case_or_404(api_caller(request), case_id)
        audit_view(request, case)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        summary="Change a case (details, status, assignee, tags)",
        request=InputSerializer,
        responses={200: CaseSerializer, 409: CONFLICT},
    )
    def patch(self, request: Request, case_id: int) -> Response:
        caller = api_caller(request)
        case = _case_or_404(caller, case_id)
        data = self.InputSerializer(data=request.data, context={"caller": caller, "case": case})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "assignee" in values and caller.membership is not None and not caller.membership.allows(Perm.ASSIGN_CASES):
            raise exceptions.PermissionDenied("Your role does not allow assigning cases.")
        try:
            services.case_change(case=case, actor=caller.actor, values=values)
        except services.ConflictError as error:
            raise Conflict(str(error)) from None
        # Read back without the visibility filter: a member who just restricted the case sees
        # the result of their own edit once (a token cannot restrict one).
        return Response(CaseSerializer(_with_details(Case.objects.for_office(caller.office)).get(pk=case.pk)).data)


class CaseCloseApi(APIView):
    """Close the case with a reason. Closing a closed case changes nothing."""

    required_perms = {"POST": Perm.WORK_CASES}

    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(
            choices=CloseReason.choices, error_messages=_choice_error("a close reason", CloseReason.choices)
        )
        version = serializers.IntegerField(
            min_value=1, max_value=2_147_483_647, required=False, help_text="If sent, a stale one is refused (409)"
        )

    @extend_schema(summary="Close a case", request=InputSerializer, responses={200: CaseSerializer, 409: CONFLICT})
    def post(self, request: Request, case_id: int) -> Response:
        caller = api_caller(request)
        case = _case_or_404(caller, case_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.case_close(
                case=case,
                actor=caller.actor,
                reason=data.validated_data["reason"],
                version=data.validated_data.get("version"),
            )
        except services.ConflictError as error:
            raise Conflict(str(error)) from None
        return Response(CaseSerializer(_case_or_404(caller, case.pk)).data)


class CaseTimelineApi(APIView):
    """The case's timeline, newest first."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    @extend_schema(summary="A case's timeline", responses=CaseEventSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        case = _case_or_404(api_caller(request), case_id)
        audit_view(request, case)
        events = selectors.timeline(case=case).order_by("-created_at", "-id")
        return paginated_response(request=request, view=self, rows=events, serializer_class=CaseEventSerializer)


class TagListApi(APIView):
    """The office's active tags, with their category and synonyms, by category."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        q = SearchTextField(help_text="Part of a tag's name or of one of its synonyms")

    @extend_schema(summary="List active tags", parameters=[FilterSerializer], responses=TagSerializer(many=True))
    def get(self, request: Request) -> Response:
        office = api_caller(request).office
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tags = selectors.active_tags(office=office, query=filters.validated_data["q"])
        return paginated_response(request=request, view=self, rows=tags, serializer_class=TagSerializer)
