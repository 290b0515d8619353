"""Reads for constituents, duplicates and the organisations directory. Each takes the office."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from constituents.models import (
    Constituent,
    ConstituentEmail,
    ConstituentMerge,
    ConstituentPhone,
    DuplicateDismissal,
    Organisation,
    PostcodeWard,
)
from constituents.validation import normalise_email, normalise_phone, normalise_postcode
from security.models import Office

# Trigram similarity of the full names at or above which two records at one postcode are paired.
NAME_SIMILARITY = 0.5


# --- Postcodes ---------------------------------------------------------------------------------
def ward_for_postcode(*, office: Office, postcode: str) -> PostcodeWard | None:
    """The imported ward row for a normalised postcode, or None when the office has none."""
    if not postcode:
        return None
    return PostcodeWard.objects.for_office(office).select_related("ward").filter(postcode=postcode).first()


# --- Constituents ------------------------------------------------------------------------------
def _preferred(model: Any, column: str) -> Subquery:
    rows = model.unscoped.filter(constituent=OuterRef("pk")).order_by("-is_preferred", "id")
    return Subquery(rows.values(column)[:1])


def _search(query: str) -> Q:
    """Name words, a postcode (whole or part), an email (whole or part) or a phone number."""
    text = query.strip()
    condition = Q()
    for word in text.split()[:5]:
        condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    condition |= Q(postcode__icontains=text)
    with contextlib.suppress(ValidationError):
        condition |= Q(postcode=normalise_postcode(text))
    if "@" in text or "." in text:
        emails = ConstituentEmail.unscoped.filter(constituent=OuterRef("pk"), email__icontains=text)
        condition |= Exists(emails)
    # Stored numbers are E.164 (+447700900123): a typed "07700 900123" matches by its digits.
    digits = re.sub(r"\D", "", text).lstrip("0")
    if len(digits) >= 4 and not re.search(r"[A-Za-z]", text):
        phones = ConstituentPhone.unscoped.filter(constituent=OuterRef("pk"), number__contains=digits)
        condition |= Exists(phones)
    return condition


def constituent_list(*, office: Office, query: str = "") -> QuerySet[Constituent]:
    """The office's constituents with their preferred email and phone, optionally searched."""
    constituents = (
        Constituent.objects.for_office(office)
        .select_related("ward")
        .annotate(
            preferred_email=_preferred(ConstituentEmail, "email"),
            preferred_phone=_preferred(ConstituentPhone, "number"),
        )
    )
    if query.strip():
        constituents = constituents.filter(_search(query))
    return constituents


def constituent_detail_queryset(*, office: Office) -> QuerySet[Constituent]:
    """Everything the constituent page shows, in a fixed number of queries."""
    return (
        Constituent.objects.for_office(office)
        .select_related("ward")
        .prefetch_related(
            Prefetch("emails", queryset=ConstituentEmail.unscoped.order_by("-is_preferred", "id")),
            Prefetch("phones", queryset=ConstituentPhone.unscoped.order_by("-is_preferred", "id")),
            "representatives",
            Prefetch(
                "merged_from", queryset=ConstituentMerge.unscoped.select_related("merged_by").order_by("-merged_at")
            ),
        )
    )


def merge_target(*, office: Office, constituent_id: int) -> Constituent | None:
    """The record a merged-away id now lives in. One hop is enough: a later merge of the
    survivor moves its mapping rows along with everything else."""
    found = ConstituentMerge.objects.for_office(office).select_related("survivor").filter(merged_id=constituent_id)
    mapping = found.first()
    return mapping.survivor if mapping else None


# --- Duplicates --------------------------------------------------------------------------------
def _valid_only(normalise: Callable[[str], str], values: Iterable[str]) -> list[str]:
    """Normalised values, silently without the invalid ones: a duplicate check never fails."""
    found = set()
    for raw in values:
        with contextlib.suppress(ValidationError):
            found.add(normalise(raw))
    return sorted(found)


def _similar_name_ids(office: Office, first_name: str, last_name: str, postcode: str) -> set[int]:
    at_postcode = Constituent.objects.for_office(office).filter(postcode=postcode)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        full_name = f"{first_name} {last_name}".strip()
        at_postcode = at_postcode.annotate(
            similarity=TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), full_name)
        ).filter(similarity__gte=NAME_SIMILARITY)
    else:
        # SQLite (the demo) has no trigrams: the same surname at the same postcode will do.
        at_postcode = at_postcode.filter(last_name__iexact=last_name)
    return set(at_postcode.values_list("pk", flat=True))


def possible_duplicates(
    *,
    office: Office,
    first_name: str,
    last_name: str,
    postcode: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    exclude_id: int | None = None,
) -> list[Constituent]:
    """Records that may be this person: the same email or phone, or a similar name at the same postcode.

    Each result carries ``duplicate_reasons`` (a list of short phrases) for display. Inputs may
    be raw: emails are lower-cased and phones normalised here, invalid ones ignored.
    """
    reasons: dict[int, list[str]] = {}

    def note(ids: Iterable[int], reason: str) -> None:
        for pk in ids:
            reasons.setdefault(pk, []).append(reason)

    emails, phones = _valid_only(normalise_email, emails), _valid_only(normalise_phone, phones)
    if emails:
        found = ConstituentEmail.objects.for_office(office).filter(email__in=emails).order_by()
        note(set(found.values_list("constituent_id", flat=True)), "same email")
    if phones:
        found = ConstituentPhone.objects.for_office(office).filter(number__in=phones).order_by()
        note(set(found.values_list("constituent_id", flat=True)), "same phone")
    try:
        postcode = normalise_postcode(postcode) if postcode else ""
    except ValidationError:
        postcode = ""
    # NUL cannot reach PostgreSQL in a string; forms refuse it, callers may not.
    first_name, last_name = (name.replace("\x00", "").strip() for name in (first_name, last_name))
    if postcode and last_name:
        note(_similar_name_ids(office, first_name, last_name, postcode), "similar name, same postcode")
    if exclude_id is not None:
        reasons.pop(exclude_id, None)
    matches = constituent_list(office=office).filter(pk__in=reasons)[:20]
    for match in matches:
        match.duplicate_reasons = reasons[match.pk]
    return list(matches)


@dataclass
class DuplicatePair:
    first: Constituent
    second: Constituent
    reasons: list[str] = field(default_factory=list)

    @property
    def people(self) -> tuple[Constituent, Constituent]:
        return (self.first, self.second)


class DuplicatePairs:
    """The office's likely duplicate pairs, newest first, sliceable for Django's Paginator.

    Pairs are found in SQL (a self-join per reason, each using an index that leads with the
    office) so a page costs three queries however many constituents the office has.
    """

    def __init__(self, office: Office) -> None:
        self.office = office

    def _sql(self) -> tuple[str, list[Any]]:
        constituent = Constituent._meta.db_table
        email = ConstituentEmail._meta.db_table
        phone = ConstituentPhone._meta.db_table
        dismissal = DuplicateDismissal._meta.db_table
        if connection.vendor == "postgresql":
            name_match = "similarity(a.first_name || ' ' || a.last_name, b.first_name || ' ' || b.last_name) >= %s"
            name_params: list[Any] = [NAME_SIMILARITY]
        else:
            name_match = "lower(a.last_name) = lower(b.last_name)"
            name_params = []
        office_id = self.office.pk
        sql = f"""
            SELECT low, high, SUM(by_email) AS by_email, SUM(by_phone) AS by_phone, SUM(by_name) AS by_name
            FROM (
                SELECT a.constituent_id AS low, b.constituent_id AS high, 1 AS by_email, 0 AS by_phone, 0 AS by_name
                FROM {email} a JOIN {email} b
                  ON b.office_id = a.office_id AND b.email = a.email AND b.constituent_id > a.constituent_id
                WHERE a.office_id = %s
                UNION ALL
                SELECT a.constituent_id, b.constituent_id, 0, 1, 0
                FROM {phone} a JOIN {phone} b
                  ON b.office_id = a.office_id AND b.number = a.number AND b.constituent_id > a.constituent_id
                WHERE a.office_id = %s
                UNION ALL
                SELECT a.id, b.id, 0, 0, 1
                FROM {constituent} a JOIN {constituent} b
                  ON b.office_id = a.office_id AND b.postcode = a.postcode AND b.id > a.id
                WHERE a.office_id = %s AND a.postcode <> '' AND {name_match}
            ) pairs
            WHERE NOT EXISTS (
                SELECT 1 FROM {dismissal} d
                WHERE (d.first_id = low AND d.second_id = high) OR (d.first_id = high AND d.second_id = low)
            )
            GROUP BY low, high
        """  # noqa: S608 - table names come from model metadata; every value is a parameter
        return sql, [office_id, office_id, office_id, *name_params]

    def count(self) -> int:
        sql, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[DuplicatePair]:
        """One page (the Paginator always asks for a bounded slice)."""
        start, stop = page.start or 0, page.stop
        sql, params = self._sql()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY high DESC, low DESC LIMIT %s OFFSET %s", [*params, stop - start, start])
            rows = cursor.fetchall()
        ids = {pk for row in rows for pk in row[:2]}
        people = constituent_list(office=self.office).in_bulk(ids)
        labels = ("same email", "same phone", "similar name, same postcode")
        return [
            DuplicatePair(people[low], people[high], [label for label, n in zip(labels, counts, strict=True) if n])
            for low, high, *counts in rows
            if low in people and high in people
        ]


def duplicate_pairs(*, office: Office) -> DuplicatePairs:
    return DuplicatePairs(office)


# --- Organisations -----------------------------------------------------------------------------
def organisation_list(
    *, office: Office, kind: str = "", query: str = "", include_inactive: bool = False
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.for_office(office)
    if not include_inactive:
        organisations = organisations.filter(is_active=True)
    if kind:
        organisations = organisations.filter(kind=kind)
    if query.strip():
        organisations = organisations.filter(name__icontains=query.strip())
    return organisations.order_by("-is_active", "name")
