"""How cases, their timeline and the tag vocabulary look in the API (inputs are in api.py)."""

from __future__ import annotations

from rest_framework import serializers

from casework.models import CaseStatus, EventKind, LawfulBasis, Priority
from security.serializers import PersonSerializer


class TagCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    synonyms = serializers.ListField(child=serializers.CharField(), help_text="Other words caseworkers use for it")
    category = TagCategorySerializer()


class CaseTagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseConstituentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    """A case. Read from a queryset with ``constituent`` and ``assignee`` joined and ``tags``
    prefetched (``casework.api`` does), so a page of cases costs a fixed number of queries."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    close_reason = serializers.CharField(help_text="One of the close reasons when closed, else empty")
    priority = serializers.ChoiceField(choices=Priority.choices)
    restricted = serializers.BooleanField()
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    consent_how = serializers.CharField()
    consent_at = serializers.DateTimeField(allow_null=True)
    may_contact_third_parties = serializers.BooleanField()
    constituent = CaseConstituentSerializer()
    assignee = PersonSerializer(allow_null=True)
    tags = CaseTagSerializer(many=True, source="tags.all")
    ward_code = serializers.CharField()
    ward_name = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    response_due_on = serializers.DateField(allow_null=True, help_text="The office's own reply target")
    response_paused_at = serializers.DateTimeField(allow_null=True, help_text="Set while a third party is awaited")
    first_response_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back when changing the case: a stale one is refused (409)")
    updated_at = serializers.DateTimeField()


class CaseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    created_at = serializers.DateTimeField()
    actor = PersonSerializer(allow_null=True, help_text="Empty for the system and for API tokens")
    note = serializers.CharField()
    data = serializers.DictField(help_text='Detail by kind, e.g. {"from": "new", "to": "open"}')
