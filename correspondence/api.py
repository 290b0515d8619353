"""Messages (list, read, file to a case) and the inbound email webhook.

The webhook: a mail relay POSTs the raw MIME message; we store it and answer 202.

Only a token with the ``inbound_email`` scope may call it — not a member of staff's session,
and not a read/write token: a relay's key should deliver mail and do nothing else. The bytes
are stored before anything is parsed, so a parse failure never loses the mail or fails the
relay's delivery (a quarantined message is still a 202).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.models import Case
from casework.selectors import caller_cases
from correspondence import ingest, selectors, services
from correspondence.models import Channel, Direction, Message, RawSource, TriageState
from correspondence.serializers import MessageDetailSerializer, MessageSerializer
from security.apierrors import ErrorSerializer
from security.audit import audit_view, audit_view_many
from security.authentication import ApiCaller, api_caller, request_token
from security.models import ApiScope
from security.pagination import ApiPagination, paginated_response
from security.roles import Perm
from security.scoping import get_for_office_or_404
from security.serializers import SearchTextField

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


# --- Messages -----------------------------------------------------------------------------------
SORTS = {"newest": ("-received_at", "-id"), "oldest": ("received_at", "id")}


def _messages(caller: ApiCaller) -> QuerySet[Message]:
    """The messages the caller may see: a token never sees one filed to a restricted case."""
    if caller.membership is None:
        return Message.objects.for_office(caller.office).filter(Q(case__isnull=True) | Q(case__restricted=False))
    return selectors.visible_messages(office=caller.office, membership=caller.membership)


def _cases(caller: ApiCaller) -> QuerySet[Case]:
    return caller_cases(office=caller.office, membership=caller.membership)


def _message_or_404(caller: ApiCaller, message_id: int, *, details: bool = False) -> Message:
    """Another office's message, and one the caller may not see, are both 404."""
    rows = _messages(caller).select_related("case", "constituent")
    if details:
        rows = rows.prefetch_related("attachments")
    return get_for_office_or_404(rows, caller.office, pk=message_id)


def _choice_error(what: str, choices: list[tuple[str, str]]) -> dict[str, str]:
    values = ", ".join(value for value, _ in choices)
    return {"invalid_choice": f"“{{input}}” is not {what}. Use one of: {values}."}


class MessageListApi(APIView):
    """The messages the caller may see, filtered, newest first."""

    required_perms = {"GET": Perm.VIEW_CASES}
    pagination_class = ApiPagination

    class FilterSerializer(serializers.Serializer):
        triage_state = serializers.ChoiceField(
            choices=TriageState.choices,
            required=False,
            error_messages=_choice_error("a triage state", TriageState.choices),
        )
        channel = serializers.ChoiceField(
            choices=Channel.choices, required=False, error_messages=_choice_error("a channel", Channel.choices)
        )
        direction = serializers.ChoiceField(
            choices=Direction.choices, required=False, error_messages=_choice_error("a direction", Direction.choices)
        )
        case = serializers.IntegerField(
            required=False, min_value=1, max_value=2_147_483_647, help_text="A case's id: its messages"
        )
        constituent = serializers.IntegerField(
            required=False, min_value=1, max_value=2_147_483_647, help_text="A constituent's id: their messages"
        )
        q = SearchTextField(help_text="Part of the subject")
        sort = serializers.ChoiceField(
            choices=list(SORTS), default="newest", error_messages=_choice_error("a sort", [(s, s) for s in SORTS])
        )

    @extend_schema(
        summary="List messages",
        parameters=[FilterSerializer],
        responses=MessageSerializer(many=True),
        tags=["messages"],
    )
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        messages = _messages(caller)
        for name in ("triage_state", "channel", "direction"):
            if data.get(name):
                messages = messages.filter(**{name: data[name]})
        if data.get("case"):
            messages = messages.filter(case_id=data["case"])
        if data.get("constituent"):
            messages = messages.filter(constituent_id=data["constituent"])
        if data.get("q"):
            messages = messages.filter(subject__icontains=data["q"])
        rows = selectors.for_listing(messages).order_by(*SORTS[data["sort"]])
        return paginated_response(
            request=request,
            view=self,
            rows=rows,
            serializer_class=MessageSerializer,
            on_page=lambda page: audit_view_many(request, page),
        )


class MessageDetailApi(APIView):
    """One message, with its text, sanitised HTML and attachments' metadata."""

    required_perms = {"GET": Perm.VIEW_CASES}

    @extend_schema(summary="Get a message", responses=MessageDetailSerializer, tags=["messages"])
    def get(self, request: Request, message_id: int) -> Response:
        message = _message_or_404(api_caller(request), message_id, details=True)
        audit_view(request, message)
        return Response(MessageDetailSerializer(message).data)


class MessageFileApi(APIView):
    """File a message to a case: it leaves triage and joins the case's timeline."""

    required_perms = {"POST": Perm.WORK_CASES}

    class InputSerializer(serializers.Serializer):
        case = serializers.IntegerField(
            min_value=1, max_value=2_147_483_647, help_text="The id of an open case the caller may see"
        )

    @extend_schema(
        summary="File a message to a case",
        request=InputSerializer,
        responses={200: MessageDetailSerializer, 400: OpenApiResponse(ErrorSerializer, description="Case closed")},
        tags=["messages"],
    )
    def post(self, request: Request, message_id: int) -> Response:
        caller = api_caller(request)
        message = _message_or_404(caller, message_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = _cases(caller).filter(pk=data.validated_data["case"]).first()
        if case is None:
            raise exceptions.ValidationError({"case": ["No case of this office you may see has this id."]})
        services.message_file(message=message, case=case, actor=caller.actor)
        return Response(MessageDetailSerializer(_message_or_404(caller, message.pk, details=True)).data)
