"""Messages in the one search box (registered into ``casework.search`` from ``apps.ready``).

Office-scoped; a message filed to a restricted case shows only to those who may see that case.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from casework.search import Hit
from casework.selectors import visible_cases
from correspondence.models import Message


def messages(request: Any, query: str, limit: int) -> QuerySet[Message]:
    office = request.office
    cases = visible_cases(office=office, membership=request.membership)
    rows = Message.objects.for_office(office).filter(Q(case__isnull=True) | Q(case__in=cases))
    if connection.vendor != "postgresql":
        text = Q(subject__icontains=query) | Q(sender_name__icontains=query) | Q(sender_email__iexact=query)
        return rows.filter(text).order_by("-received_at")[:limit]
    ts_query = SearchQuery(query, config="english", search_type="websearch") | SearchQuery(
        query, config="simple", search_type="websearch"
    )
    return (
        rows.filter(Q(search_vector=ts_query) | Q(sender_email__iexact=query))
        .annotate(rank=SearchRank(F("search_vector"), ts_query))
        .order_by("-rank", "-received_at")[:limit]
    )


def _url(message: Message) -> str:
    try:
        return reverse("correspondence:message_detail", args=[message.pk])
    except NoReverseMatch:  # the message pages are not installed: the case is the next best place
        return reverse("casework:case_detail", args=[message.case_id]) if message.case_id else ""


def message_hits(request: Any, query: str, limit: int) -> list[Hit]:
    return [
        Hit(
            message.subject or "(no subject)",
            f"{message.get_direction_display()} · {message.sender_name or message.sender_email}",
            _url(message),
        )
        for message in messages(request, query, limit)
    ]
