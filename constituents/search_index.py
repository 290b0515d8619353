"""Stored search vectors for constituents and the people acting for them (PostgreSQL only).

Services call these after each write, inside their transaction, so the index never lags. On
SQLite they do nothing and search falls back to plain matching.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from constituents.models import Constituent, ConstituentEmail, Representative


def _enabled() -> bool:
    return connection.vendor == "postgresql"


def constituent_vector() -> SearchVector:
    emails = (
        ConstituentEmail.unscoped.filter(constituent=OuterRef("pk"))
        .values("constituent")
        .annotate(text=StringAgg("email", " "))
        .values("text")
    )
    return SearchVector("title", "first_name", "last_name", weight="A", config="simple") + SearchVector(
        Coalesce(Subquery(emails), Value(""), output_field=TextField()), weight="B", config="simple"
    )


def representative_vector() -> SearchVector:
    return SearchVector("name", weight="A", config="simple") + SearchVector(
        "organisation_name", "email", weight="B", config="simple"
    )


def refresh_constituents(rows: QuerySet[Constituent] | Iterable[int]) -> None:
    if _enabled():
        queryset = rows if isinstance(rows, QuerySet) else Constituent.unscoped.filter(pk__in=list(rows))
        queryset.update(search_vector=constituent_vector())


def refresh_representatives(rows: QuerySet[Representative] | Iterable[int]) -> None:
    if _enabled():
        queryset = rows if isinstance(rows, QuerySet) else Representative.unscoped.filter(pk__in=list(rows))
        queryset.update(search_vector=representative_vector())
