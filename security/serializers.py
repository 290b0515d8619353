"""Serializer pieces every app's API uses."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

SEARCH_MAX_CHARS = 200


class SearchTextField(serializers.CharField):
    """Free text to search for. Anything is accepted, never an error: NUL characters (which
    PostgreSQL cannot take) are dropped and the text is cut to 200 characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return str(data).replace("\x00", "")[:SEARCH_MAX_CHARS].strip()


class PersonSerializer(serializers.Serializer):
    """A member of staff, as other records name them."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
