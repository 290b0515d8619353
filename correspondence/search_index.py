"""The stored search vector of messages: subject (A), sender (B), text (C). PostgreSQL only."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import QuerySet

from correspondence.models import Message


def message_vector() -> SearchVector:
    return (
        SearchVector("subject", weight="A", config="english")
        + SearchVector("sender_name", "sender_email", weight="B", config="simple")
        + SearchVector("text", weight="C", config="english")
    )


def refresh_messages(rows: QuerySet[Message] | Iterable[int]) -> None:
    """Recompute the vectors of ``rows``; ingestion calls it after each parse."""
    if connection.vendor != "postgresql":
        return
    queryset = rows if isinstance(rows, QuerySet) else Message.unscoped.filter(pk__in=list(rows))
    queryset.update(search_vector=message_vector())
