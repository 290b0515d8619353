"""The inbound email webhook: a mail relay POSTs the raw MIME message; we store it and answer 202.

Only a token with the ``inbound_email`` scope may call it — not a member of staff's session,
and not a read/write token: a relay's key should deliver mail and do nothing else. The bytes
are stored before anything is parsed, so a parse failure never loses the mail or fails the
relay's delivery (a quarantined message is still a 202).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from correspondence import ingest
from correspondence.models import RawSource
from security.authentication import api_caller, request_token
from security.models import ApiScope

# A permission name no role holds: the URL walk then expects every session to be refused.
TOKEN_ONLY = "inbound_email_token_only"  # noqa: S105 - a permission name, not a secret


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The message is too large to accept."


def _max_request_bytes() -> int:
    # Mail somewhat over INBOUND_MAX_BYTES is still kept (raw, flagged oversize); past twice
    # the limit it is refused, so one request cannot fill the database.
    return settings.INBOUND_MAX_BYTES * 2


class RawEmailParser(BaseParser):
    """The request body as bytes, read in chunks up to the limit (never the whole stream first)."""

    media_type = "message/rfc822"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> bytes:
        limit = _max_request_bytes()
        chunks: list[bytes] = []
        size = 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge()
            chunks.append(chunk)
        return b"".join(chunks)


class OctetStreamParser(RawEmailParser):
    media_type = "application/octet-stream"


class InboundEmailToken(BasePermission):
    """A token with the inbound_email scope. A session is refused (403), whoever it is."""

    message = f"Only an API token with the “{ApiScope.INBOUND_EMAIL}” scope may deliver email."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request_token(request)
        return token is not None and token.has_scope(ApiScope.INBOUND_EMAIL)


class InboundEmailApi(APIView):
    """POST /api/v1/inbound/email: one raw RFC 5322 message as the request body."""

    permission_classes = [InboundEmailToken]
    required_perms = {"POST": TOKEN_ONLY}
    token_scope = ApiScope.INBOUND_EMAIL
    parser_classes = [RawEmailParser, OctetStreamParser]

    class OutputSerializer(serializers.Serializer):
        raw_id = serializers.IntegerField(help_text="The stored raw email's id.")
        duplicate = serializers.BooleanField(help_text="True if this message was already stored (nothing new kept).")

    @extend_schema(
        summary="Deliver one inbound email (raw MIME)",
        description=(
            "The body is the message exactly as received (`message/rfc822` or `application/octet-stream`). "
            "It is stored first and parsed afterwards; a duplicate (same Message-ID and bytes) is stored once. "
            "Needs a token with the `inbound_email` scope."
        ),
        request={"message/rfc822": OpenApiTypes.BINARY, "application/octet-stream": OpenApiTypes.BINARY},
        responses={
            202: OutputSerializer,
            413: OpenApiResponse(description="Larger than twice INBOUND_MAX_BYTES."),
        },
        tags=["inbound"],
    )
    def post(self, request: Request) -> Response:
        raw = request.data
        if not isinstance(raw, bytes) or not raw.strip():
            raise exceptions.ValidationError("Send the raw email as the request body.")
        caller = api_caller(request)
        row, created = ingest.store_raw(office=caller.office, raw=raw, source=RawSource.WEBHOOK)
        return Response(
            self.OutputSerializer({"raw_id": row.pk, "duplicate": not created}).data, status=status.HTTP_202_ACCEPTED
        )
