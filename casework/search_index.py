"""The stored search vector of cases: reference, summary, description and notes (PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from casework.models import Case, CaseEvent, EventKind


def case_vector() -> SearchVector:
    notes = (
        CaseEvent.unscoped.filter(case=OuterRef("pk"), kind=EventKind.NOTE)
        .values("case")
        .annotate(text=StringAgg("note", " "))
        .values("text")
    )
    return (
        SearchVector("reference", weight="A", config="simple")
        + SearchVector("summary", weight="A", config="english")
        + SearchVector("description", weight="B", config="english")
        + SearchVector(Coalesce(Subquery(notes), Value(""), output_field=TextField()), weight="C", config="english")
    )


def refresh_cases(rows: QuerySet[Case] | Iterable[int]) -> None:
    """Recompute the vectors of ``rows``; services call it after each change to searchable text."""
    if connection.vendor != "postgresql":
        return
    queryset = rows if isinstance(rows, QuerySet) else Case.unscoped.filter(pk__in=list(rows))
    queryset.update(search_vector=case_vector())
