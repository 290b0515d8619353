"""How messages look in the API (inputs are in api.py)."""

from __future__ import annotations

from rest_framework import serializers

from correspondence.models import Channel, Direction, TriageState


class MessageCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()


class MessageConstituentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField(default="")
    email = serializers.CharField(default="")
    kind = serializers.CharField(default="", help_text="to or cc")


class AttachmentSerializer(serializers.Serializer):
    """An attachment's metadata; the file itself is downloaded from the message page."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="As the sender named it: display only, never a path")
    content_type = serializers.CharField(help_text="Sniffed from the bytes")
    declared_type = serializers.CharField(help_text="What the sender said it was")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    is_inline = serializers.BooleanField()
    is_executable = serializers.BooleanField(help_text="Executables and scripts are kept but flagged")
    too_large = serializers.BooleanField(
        help_text="Over the attachment size limit: not extracted, no download; its bytes are in the raw email"
    )


class MessageSerializer(serializers.Serializer):
    """A message in a list. Read from a queryset with ``case`` and ``constituent`` joined
    (``correspondence.api`` does), so a page costs a fixed number of queries."""

    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    triage_state = serializers.ChoiceField(choices=TriageState.choices)
    is_automatic = serializers.BooleanField(help_text="An auto-reply or a bounce: never in triage")
    subject = serializers.CharField()
    sender_name = serializers.CharField()
    sender_email = serializers.CharField()
    recipients = RecipientSerializer(many=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField()
    case = MessageCaseSerializer(allow_null=True)
    constituent = MessageConstituentSerializer(allow_null=True)


class MessageDetailSerializer(MessageSerializer):
    """One message: its plain text, its sanitised HTML and its attachments' metadata."""

    message_id = serializers.CharField(help_text="The normalised Message-ID header, if any")
    in_reply_to = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField(help_text="Sanitised with nh3; still show it only in a sandboxed frame")
    attachments = AttachmentSerializer(many=True, source="attachments.all")
