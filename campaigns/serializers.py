"""How campaigns, their messages and their responses look in the API (read only)."""

from __future__ import annotations

from rest_framework import serializers

from campaigns.models import CampaignState, ResponseMode, VersionState
from constituents.models import InConstituency
from security.serializers import PersonSerializer


class ResponseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=VersionState.choices)


class CampaignSerializer(serializers.Serializer):
    """A campaign in a list. Read from ``selectors.campaign_list`` (counts annotated)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=CampaignState.choices)
    platform = serializers.CharField(help_text="The campaign platform it came through, if known")
    mode = serializers.ChoiceField(choices=ResponseMode.choices)
    reply_to_later = serializers.BooleanField(help_text="Later arrivals get the approved response automatically")
    messages = serializers.IntegerField(source="member_count")
    from_constituents = serializers.IntegerField(source="constituent_count")
    personalised = serializers.IntegerField(source="personalised_count", help_text="Senders who added their own text")
    first_message_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)


class ConstituencySerializer(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    unknown = serializers.IntegerField()


class RepliesSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="Messages answered")
    pending = serializers.IntegerField(help_text="Replies queued or being sent")
    failed = serializers.IntegerField(help_text="Messages whose reply failed")
    unanswered = serializers.IntegerField()


class WardCountSerializer(serializers.Serializer):
    ward = serializers.CharField()
    messages = serializers.IntegerField()


class CampaignDetailSerializer(CampaignSerializer):
    constituency = ConstituencySerializer(help_text="Messages by whether the sender lives in the constituency")
    wards = WardCountSerializer(many=True, help_text="The commonest wards")
    replies = RepliesSerializer()
    response = ResponseSummarySerializer(allow_null=True, help_text="The newest version of the response")


class MemberSerializer(serializers.Serializer):
    """A message in a campaign. Read with ``message`` and ``ward`` joined and the reply state annotated."""

    id = serializers.IntegerField()
    message = serializers.IntegerField(source="message_id", help_text="GET /api/v1/messages/{id} for the text")
    sender_name = serializers.CharField(source="reply_name")
    sender_email = serializers.CharField(source="reply_email", help_text="Where a reply goes")
    received_at = serializers.DateTimeField()
    in_constituency = serializers.ChoiceField(choices=InConstituency.choices)
    postcode = serializers.CharField()
    ward = serializers.CharField(source="ward.name", allow_null=True, default=None)
    personalised = serializers.BooleanField()
    own_share = serializers.FloatField(help_text="Share of the message not in the campaign's text")
    joined_by = serializers.CharField()
    reply = serializers.SerializerMethodField(help_text="answered, sending, failed or none")

    def get_reply(self, member) -> str:
        if member.answered:
            return "answered"
        if member.answering:
            return "sending"
        return "failed" if member.reply_failed else "none"


class ResponseVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    subject = serializers.CharField()
    body = serializers.CharField(help_text="With its merge fields, e.g. {{ first_name }}")
    state = serializers.ChoiceField(choices=VersionState.choices)
    comment = serializers.CharField(help_text="The approver's reasons, when sent back")
    created_at = serializers.DateTimeField()
    created_by = PersonSerializer(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = PersonSerializer(allow_null=True)
    sendable = serializers.BooleanField(help_text="Approved, unchanged, and the newest: what a send would use")
