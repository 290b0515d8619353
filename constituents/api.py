"""The constituents part of the REST API: constituents and the organisations directory.

Thin: inputs are validated here, writes go through ``constituents.services``, reads through
``constituents.selectors``. Every constituent a response shows is audited as viewed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from constituents import selectors, services
from constituents.models import (
    Constituent,
    ConstituentEmail,
    ConstituentPhone,
    ContactMethod,
    InConstituency,
    Organisation,
    OrganisationKind,
    Representative,
)
from constituents.serializers import ConstituentSerializer, OrganisationSerializer
from constituents.validation import normalise_email, normalise_phone, normalise_postcode
from security.apierrors import Conflict, ErrorSerializer
from security.audit import audit_view, audit_view_many
from security.authentication import api_caller
from security.pagination import ApiPagination, paginated_response
from security.roles import Perm
from security.scoping import get_for_office_or_404
from security.serializers import SearchTextField


def _with_contacts(constituents: QuerySet[Constituent]) -> QuerySet[Constituent]:
    """Every contact detail and representative in three queries, however many constituents."""
    return constituents.prefetch_related(
        Prefetch("emails", queryset=ConstituentEmail.unscoped.order_by("-is_preferred", "id")),
        Prefetch("phones", queryset=ConstituentPhone.unscoped.order_by("-is_preferred", "id")),
        Prefetch("representatives", queryset=Representative.unscoped.order_by("name", "id")),
    )


def _optional(normalise: Any, value: str) -> str:
    return normalise(value) if value.strip() else ""


class ConstituentDetailsInput(serializers.Serializer):
    """The constituent's own fields; each is optional (a PATCH sends only what changes)."""

    title = serializers.CharField(max_length=20, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False)
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    town = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # Longer than the column: " sw1a  1aa " is accepted and normalised.
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="e.g. SW1A 1AA")
    in_constituency = serializers.ChoiceField(choices=InConstituency.choices, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    preferred_contact = serializers.ChoiceField(choices=ContactMethod.choices, required=False)
    consents_to_updates = serializers.BooleanField(required=False)

    def validate_postcode(self, value: str) -> str:
        return _optional(normalise_postcode, value)

    def validate_date_of_birth(self, value: dt.date | None) -> dt.date | None:
        if value and value > timezone.localdate():
            raise serializers.ValidationError("A date of birth cannot be in the future.")
        if value and value.year < 1900:
            raise serializers.ValidationError("Check the year: it is before 1900.")
        return value


class ConstituentListApi(APIView):
    """Constituents of the office, searched with ``q`` (name, postcode, email or phone); add one."""

    required_perms = {"GET": Perm.VIEW_CASES, "POST": Perm.LOG_CONTACT}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        q = SearchTextField(help_text="Name words, a postcode, an email or a phone number (any text)")

    class InputSerializer(ConstituentDetailsInput):
        last_name = serializers.CharField(max_length=100)
        email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        phone_label = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
        create_anyway = serializers.BooleanField(
            default=False, help_text="Create even when the office may already have this person (else 409)"
        )

        def validate_email(self, value: str) -> str:
            return _optional(normalise_email, value)

        def validate_phone(self, value: str) -> str:
            return _optional(normalise_phone, value)

    @extend_schema(
        summary="List or search constituents", parameters=[FilterSerializer], responses=ConstituentSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = _with_contacts(selectors.constituent_list(office=caller.office, query=filters.validated_data["q"]))
        return paginated_response(
            request=request,
            view=self,
            rows=rows.order_by("last_name", "first_name", "id"),
            serializer_class=ConstituentSerializer,
            on_page=lambda page: audit_view_many(request, page),
        )

    @extend_schema(
        summary="Add a constituent",
        request=InputSerializer,
        responses={
            201: ConstituentSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The office may already have this person."),
        },
    )
    def post(self, request: Request) -> Response:
        caller = api_caller(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        create_anyway = values.pop("create_anyway")
        if not create_anyway:
            _refuse_duplicates(caller.office, values)
        constituent = services.constituent_create(office=caller.office, actor=caller.actor, **values)
        found = _with_contacts(Constituent.objects.for_office(caller.office).select_related("ward"))
        return Response(ConstituentSerializer(found.get(pk=constituent.pk)).data, status=status.HTTP_201_CREATED)


def _refuse_duplicates(office: Any, values: dict[str, Any]) -> None:
    duplicates = selectors.possible_duplicates(
        office=office,
        first_name=values.get("first_name", ""),
        last_name=values["last_name"],
        postcode=values.get("postcode", ""),
        emails=[values["email"]],
        phones=[values["phone"]],
    )
    if duplicates:
        ids = ", ".join(str(person.pk) for person in duplicates)
        raise Conflict(
            f"The office may already have this person (constituents {ids}). "
            "Use one of those records, or send create_anyway: true to create a new one.",
            code="possible_duplicate",
        )


class ConstituentDetailApi(APIView):
    """One constituent; change their details (emails and phones have their own pages, not here)."""

    required_perms = {"GET": Perm.VIEW_CASES, "PATCH": Perm.LOG_CONTACT}

    class InputSerializer(ConstituentDetailsInput):
        pass

    def _constituent(self, request: Request, constituent_id: int) -> Constituent:
        office = api_caller(request).office
        return get_for_office_or_404(selectors.constituent_detail_queryset(office=office), office, pk=constituent_id)

    @extend_schema(summary="Get a constituent", responses=ConstituentSerializer)
    def get(self, request: Request, constituent_id: int) -> Response:
        constituent = self._constituent(request, constituent_id)
        audit_view(request, constituent)
        return Response(ConstituentSerializer(constituent).data)

    @extend_schema(summary="Change a constituent's details", request=InputSerializer, responses=ConstituentSerializer)
    def patch(self, request: Request, constituent_id: int) -> Response:
        caller = api_caller(request)
        constituent = self._constituent(request, constituent_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.constituent_update(constituent=constituent, actor=caller.actor, **data.validated_data)
        return Response(ConstituentSerializer(self._constituent(request, constituent_id)).data)


class OrganisationListApi(APIView):
    """The office's directory of organisations (councils, departments, agencies…)."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        q = SearchTextField(help_text="Part of the name")
        kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False, default="")
        include_inactive = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        summary="List organisations", parameters=[FilterSerializer], responses=OrganisationSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        office = api_caller(request).office
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        rows = selectors.organisation_list(
            office=office, kind=values["kind"], query=values["q"], include_inactive=values["include_inactive"]
        )
        rows = rows.order_by("-is_active", "name", "id")
        return paginated_response(request=request, view=self, rows=rows, serializer_class=OrganisationSerializer)


class OrganisationDetailApi(APIView):
    required_perms = {"GET": Perm.VIEW_CASES}

    @extend_schema(summary="Get an organisation", responses=OrganisationSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        office = api_caller(request).office
        organisation = get_for_office_or_404(Organisation, office, pk=organisation_id)
        return Response(OrganisationSerializer(organisation).data)
