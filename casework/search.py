"""One search box over constituents, the people acting for them, cases and (registered later) messages.

PostgreSQL: stored tsvectors (GIN) ranked with ``ts_rank``, plus trigram similarity for names and
exact matches for normalised postcodes and phone numbers. SQLite: plain case-insensitive matching.
Any text is accepted: the query is cleaned and capped, and ``websearch_to_tsquery`` never fails
on quotes or operators.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.urls import reverse

from casework.selectors import visible_cases
from constituents.models import Constituent, ConstituentEmail, ConstituentPhone, Representative
from constituents.validation import normalise_phone, normalise_postcode

MAX_QUERY_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    url: str


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    # (request, cleaned query, limit) -> hits, best first
    search: Callable[[Any, str, int], list[Hit]]
    order: int = 100


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _providers[provider.key] = provider


def clean_query(raw: str) -> tuple[str, bool]:
    """The query to run, and whether it had to be shortened (the page says so)."""
    text = " ".join(_CONTROL.sub(" ", raw or "").split())
    return text[:MAX_QUERY_LENGTH], len(text) > MAX_QUERY_LENGTH


def search_all(request: Any, raw: str, limit: int = 20) -> list[tuple[Provider, list[Hit]]]:
    query, _ = clean_query(raw)
    if not query:
        return []
    providers = sorted(_providers.values(), key=lambda p: (p.order, p.key))
    return [(provider, provider.search(request, query, limit)) for provider in providers]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _maybe(normalise: Callable[[str], str], text: str) -> str | None:
    try:
        return normalise(text)
    except ValidationError:
        return None


def _text_query(query: str, config: str) -> SearchQuery:
    return SearchQuery(query, config=config, search_type="websearch")


# --- Constituents and people acting for them ----------------------------------------------------
def _contact_matches(office: Any, query: str) -> Q:
    """Exact matches on a normalised postcode or phone number, and on an email address.

    Ids are fetched first: an ``IN (subquery)`` ORed into the text conditions stops PostgreSQL
    from combining the indexes, and the whole office is scanned instead.
    """
    by_email = ConstituentEmail.objects.for_office(office).filter(email=query.lower())
    matches = Q(pk__in=list(by_email.values_list("constituent", flat=True)))
    postcode = _maybe(normalise_postcode, query)
    if postcode:
        matches |= Q(postcode=postcode)
    if sum(ch.isdigit() for ch in query) >= 7:
        phone = _maybe(normalise_phone, query)
        if phone:
            by_phone = ConstituentPhone.objects.for_office(office).filter(number=phone)
            matches |= Q(pk__in=list(by_phone.values_list("constituent", flat=True)))
    return matches


def constituents(office: Any, query: str, limit: int) -> QuerySet[Constituent]:
    people = Constituent.objects.for_office(office)
    contact = _contact_matches(office, query)
    if not _postgres():
        text = Q(last_name__icontains=query) | Q(first_name__icontains=query) | Q(postcode__icontains=query)
        return people.filter(text | contact).order_by("last_name", "first_name")[:limit]
    ts_query = _text_query(query, "simple")
    similar = Q(last_name__trigram_similar=query) | Q(first_name__trigram_similar=query)
    rank = SearchRank(F("search_vector"), ts_query) + TrigramSimilarity("last_name", query)
    return (
        people.filter(Q(search_vector=ts_query) | similar | contact)
        .annotate(rank=rank)
        .order_by("-rank", "last_name", "id")[:limit]
    )


def representatives(office: Any, query: str, limit: int) -> QuerySet[Representative]:
    people = Representative.objects.for_office(office).select_related("constituent")
    if not _postgres():
        text = Q(name__icontains=query) | Q(organisation_name__icontains=query) | Q(email__iexact=query)
        return people.filter(text).order_by("name")[:limit]
    ts_query = _text_query(query, "simple")
    return (
        people.filter(Q(search_vector=ts_query) | Q(name__trigram_similar=query))
        .annotate(rank=SearchRank(F("search_vector"), ts_query) + TrigramSimilarity("name", query))
        .order_by("-rank", "name", "id")[:limit]
    )


def cases(request: Any, query: str, limit: int) -> QuerySet[Any]:
    visible = visible_cases(office=request.office, membership=request.membership).select_related("constituent")
    by_reference = Q(reference__icontains=query)
    if not _postgres():
        text = Q(summary__icontains=query) | Q(description__icontains=query)
        return visible.filter(by_reference | text).order_by("-opened_at")[:limit]
    ts_query = _text_query(query, "english") | _text_query(query, "simple")
    exact_reference = Q(reference__iexact=query)
    rank = SearchRank(F("search_vector"), ts_query)
    return (
        visible.filter(Q(search_vector=ts_query) | by_reference)
        .annotate(rank=rank + _bonus(exact_reference))
        .order_by("-rank", "-opened_at")[:limit]
    )


def _bonus(condition: Q) -> Case:
    """An exact reference outranks any text match."""
    return Case(When(condition, then=Value(10.0)), default=Value(0.0), output_field=FloatField())


def _constituent_hits(request: Any, query: str, limit: int) -> list[Hit]:
    return [
        Hit(person.full_name, person.address, reverse("constituents:detail", args=[person.pk]))
        for person in constituents(request.office, query, limit)
    ]


def _representative_hits(request: Any, query: str, limit: int) -> list[Hit]:
    return [
        Hit(
            person.name,
            f"{person.get_relationship_display()} of {person.constituent.full_name}",
            reverse("constituents:detail", args=[person.constituent_id]),
        )
        for person in representatives(request.office, query, limit)
    ]


def _case_hits(request: Any, query: str, limit: int) -> list[Hit]:
    return [
        Hit(
            f"{case.reference} {case.summary}",
            f"{case.constituent.full_name} · {case.get_status_display()}",
            reverse("casework:case_detail", args=[case.pk]),
        )
        for case in cases(request, query, limit)
    ]


register(Provider("cases", "Cases", _case_hits, order=10))
register(Provider("constituents", "Constituents", _constituent_hits, order=20))
register(Provider("representatives", "People acting for constituents", _representative_hits, order=30))
