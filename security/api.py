"""The security part of the REST API: who is calling, and the schema (its docs page is in views)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from security.authentication import api_caller
from security.permissions import IsVerifiedStaffOrToken, OfficeAccess


class MeApi(APIView):
    """Who the caller is and which office and role (or token scopes) they act with."""

    permission_classes = [OfficeAccess]
    required_perms = {"GET": None}

    class OutputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["user", "api_token"])
        email = serializers.EmailField(allow_null=True)
        full_name = serializers.CharField(allow_null=True, help_text="The person, or the token's integration.")
        office = serializers.CharField(source="office_slug")
        role = serializers.CharField(allow_null=True)
        scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)

    @extend_schema(summary="Who is calling", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        if caller.token is not None:
            data = {"kind": "api_token", "email": None, "full_name": caller.token.name, "role": None}
            data["scopes"] = caller.token.scopes
        else:
            data = {"kind": "user", "email": caller.actor.email, "full_name": caller.actor.full_name}
            data |= {"role": caller.membership.role, "scopes": None}
        return Response(self.OutputSerializer(data | {"office_slug": caller.office.slug}).data)


class ApiSchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with ?format=json), for staff and tokens only."""

    permission_classes = [IsVerifiedStaffOrToken]

    def handle_exception(self, exc: Exception) -> Response:
        # Errors in the API's JSON error format, not as an OpenAPI document.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
