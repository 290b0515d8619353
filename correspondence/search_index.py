"""The stored search vector of messages: subject (A), sender (B), text (C). PostgreSQL only."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery

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


_ANY_ID = -7_101_973  # stands for the row's id while the UPDATE is compiled


@functools.cache
def _one_message_update(alias: str) -> tuple[str, tuple]:
    """The UPDATE of one message's vector, compiled once: ingestion runs it per message, and
    compiling the vector expression costs more than the UPDATE itself."""
    query = Message.unscoped.filter(pk=_ANY_ID).query.chain(UpdateQuery)
    query.add_update_values({"search_vector": message_vector()})
    sql, params = query.get_compiler(alias).as_sql()
    if not params or params[-1] != _ANY_ID:
        raise RuntimeError("The vector UPDATE did not end with the id parameter.")
    return sql, tuple(params[:-1])


def refresh_message(pk: int) -> None:
    """``refresh_messages([pk])``, without compiling the expression again."""
    if connection.vendor != "postgresql":
        return
    sql, params = _one_message_update(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, pk))
