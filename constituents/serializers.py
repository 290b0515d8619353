"""How constituents and organisations look in the API (the views' inputs are in api.py)."""

from __future__ import annotations

from rest_framework import serializers

from constituents.models import (
    Authority,
    ContactMethod,
    InConstituency,
    OrganisationKind,
    Relationship,
    TargetUnit,
)


class WardSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField()
    is_preferred = serializers.BooleanField()


class PhoneSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="E.164, e.g. +447700900123")
    label = serializers.CharField()
    is_preferred = serializers.BooleanField()


class RepresentativeSerializer(serializers.Serializer):
    """Someone acting for the constituent, and on what authority."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    organisation_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    authority = serializers.ChoiceField(choices=Authority.choices)


class ConstituentSerializer(serializers.Serializer):
    """A constituent with every contact detail and the people acting for them.

    Read from a queryset that prefetches ``emails``, ``phones`` and ``representatives``
    (``constituents.api`` does), so a page of them costs a fixed number of queries.
    """

    id = serializers.IntegerField()
    title = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    full_name = serializers.CharField()
    address_line1 = serializers.CharField()
    address_line2 = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    ward = WardSerializer(allow_null=True)
    in_constituency = serializers.ChoiceField(choices=InConstituency.choices)
    date_of_birth = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    preferred_contact = serializers.ChoiceField(choices=ContactMethod.choices)
    consents_to_updates = serializers.BooleanField()
    consent_recorded_at = serializers.DateTimeField(allow_null=True)
    emails = EmailSerializer(many=True, source="emails.all")
    phones = PhoneSerializer(many=True, source="phones.all")
    representatives = RepresentativeSerializer(many=True, source="representatives.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    email = serializers.CharField()
    postal_address = serializers.CharField()
    hotline = serializers.CharField(help_text="MP hotline contacts")
    required_identifiers = serializers.ListField(child=serializers.CharField())
    requires_written_consent = serializers.BooleanField()
    reply_target = serializers.IntegerField(allow_null=True)
    reply_target_unit = serializers.ChoiceField(choices=TargetUnit.choices)
    is_active = serializers.BooleanField()
    notes = serializers.CharField()
