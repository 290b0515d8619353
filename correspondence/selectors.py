"""Reads of messages for pages: what a member may see, triage, suggestions, a case's messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from casework.models import Case, CaseStatus
from casework.selectors import visible_cases
from constituents.models import Constituent, ConstituentEmail
from correspondence.models import Message, TriageState
from security.models import Membership, Office
from security.roles import Role


def visible_messages(*, office: Office, membership: Membership) -> QuerySet[Message]:
    """Messages of the office, except those filed to a restricted case this member may not see."""
    messages = Message.objects.for_office(office)
    if membership.role in (Role.MANAGER, Role.MP):
        return messages
    return messages.filter(Q(case__isnull=True) | Q(case__in=visible_cases(office=office, membership=membership)))


def for_listing(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related("constituent", "case").defer("html", "text", "references", "search_vector")


def triage_messages(*, office: Office, membership: Membership) -> QuerySet[Message]:
    """New inbound messages nobody has dealt with; auto-replies and bounces never appear."""
    return for_listing(
        visible_messages(office=office, membership=membership).filter(
            triage_state=TriageState.NEW, is_automatic=False, direction="in"
        )
    )


def message_list(*, office: Office, membership: Membership, filters: dict[str, Any]) -> QuerySet[Message]:
    messages = visible_messages(office=office, membership=membership)
    state = filters.get("state") or TriageState.NEW
    if state != "all":
        messages = messages.filter(triage_state=state)
    if state == TriageState.NEW and not filters.get("show_automatic"):
        messages = messages.filter(is_automatic=False)
    if filters.get("channel"):
        messages = messages.filter(channel=filters["channel"])
    if filters.get("direction"):
        messages = messages.filter(direction=filters["direction"])
    return for_listing(messages)


def suggested_constituents(*, office: Office, messages: Iterable[Message]) -> dict[int, Constituent]:
    """For messages with no constituent: the person whose recorded email is the sender's, in one query.

    Only a suggestion: an address shared by two people suggests nobody.
    """
    wanted = {m.sender_email.lower() for m in messages if not m.constituent_id and m.sender_email}
    if not wanted:
        return {}
    by_email: dict[str, set[int]] = {}
    people: dict[int, Constituent] = {}
    rows = ConstituentEmail.objects.for_office(office).filter(email__in=wanted).select_related("constituent")
    for row in rows:
        by_email.setdefault(row.email.lower(), set()).add(row.constituent_id)
        people[row.constituent_id] = row.constituent
    suggestions = {}
    for message in messages:
        found = by_email.get(message.sender_email.lower(), set()) if message.sender_email else set()
        if len(found) == 1 and not message.constituent_id:
            suggestions[message.pk] = people[next(iter(found))]
    return suggestions


def with_suggestions(*, office: Office, messages: Iterable[Message]) -> list[Message]:
    """The messages, each with ``suggested`` set to a likely constituent or None."""
    rows = list(messages)
    suggestions = suggested_constituents(office=office, messages=rows)
    for row in rows:
        row.suggested = suggestions.get(row.pk)
    return rows


def open_cases_of(*, office: Office, membership: Membership, constituent: Constituent | None) -> QuerySet[Case]:
    if constituent is None:
        return Case.objects.for_office(office).none()
    return (
        visible_cases(office=office, membership=membership)
        .filter(constituent=constituent)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-opened_at")
    )


def case_messages(*, case: Case) -> QuerySet[Message]:
    return (
        Message.objects.for_office(case.office)
        .filter(case=case)
        .select_related("logged_by", "outgoing_email")
        .defer("html", "references", "search_vector")
        .order_by("-received_at", "-id")
    )


def constituent_messages(*, office: Office, membership: Membership, constituent: Constituent) -> QuerySet[Message]:
    return for_listing(visible_messages(office=office, membership=membership).filter(constituent=constituent))
