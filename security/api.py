"""The security part of the REST API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


@method_decorator(login_not_required, name="dispatch")
class MeApi(APIView):
    """Who the caller is and which office and role they act in."""

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        full_name = serializers.CharField()
        office = serializers.CharField(source="office_slug")
        role = serializers.CharField()

    def get(self, request: Request) -> Response:
        membership = request._request.membership
        data = {
            "email": request.user.email,
            "full_name": request.user.full_name,
            "office_slug": membership.office.slug,
            "role": membership.role,
        }
        return Response(self.OutputSerializer(data).data)
