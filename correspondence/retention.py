"""Correspondence's retention rules (registered from ``CorrespondenceConfig.ready()``).

Mail filed to a case goes with the case (casework anonymises it). Here: messages never filed to
a case are deleted once the correspondence period has passed since they arrived, campaign mail
after the (shorter) campaign period, and raw emails that never became a message (quarantined,
oversize) after the correspondence period. Their files and mailbox copies go too.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from correspondence.models import Attachment, Message, OutboxStatus, OutgoingEmail, RawEmail, TriageState
from security.dataprotection import erasure
from security.dataprotection.collect import Found
from security.models import Office
from security.personal_data import Retention, RetentionRule, entry_for, register_retention_rule


def unfiled_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[Message]:
    return (
        Message.objects.for_office(office)
        .filter(case=None, received_at__lt=cutoff)
        .exclude(triage_state=TriageState.CAMPAIGN)
        .order_by("received_at", "pk")
    )


def campaign_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[Message]:
    return (
        Message.objects.for_office(office)
        .filter(triage_state=TriageState.CAMPAIGN, received_at__lt=cutoff)
        .order_by("received_at", "pk")
    )


def _found(model: type, rows: QuerySet) -> Found:
    return Found(entry=entry_for(model), pks=tuple(rows.values_list("pk", flat=True)))


def messages_delete(office: Office, rows: QuerySet[Message]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    attachments = Attachment.objects.for_office(office).filter(message_id__in=ids)
    raws = RawEmail.objects.for_office(office).filter(message__in=ids)
    erasure.erase_found(office, [_found(Attachment, attachments), _found(RawEmail, raws)])
    Message.objects.for_office(office).filter(pk__in=ids).delete()
    return len(ids)


def unparsed_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[RawEmail]:
    return (
        RawEmail.objects.for_office(office).filter(message=None, received_at__lt=cutoff).order_by("received_at", "pk")
    )


def raw_delete(office: Office, rows: QuerySet[RawEmail]) -> int:
    found = _found(RawEmail, rows)
    erasure.erase_found(office, [found])
    return len(found.pks)


def outbox_due(office: Office, cutoff: dt.datetime, overrides: dict) -> QuerySet[OutgoingEmail]:
    """Outgoing email not delivering a message on a case (acknowledgements), finished with."""
    return (
        OutgoingEmail.objects.for_office(office)
        .filter(created_at__lt=cutoff, timeline_message__case=None)
        .exclude(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING])
        .order_by("created_at", "pk")
    )


def outbox_delete(office: Office, rows: QuerySet[OutgoingEmail]) -> int:
    return OutgoingEmail.objects.for_office(office).filter(pk__in=list(rows.values_list("pk", flat=True))).delete()[0]


def _describe(message: Message) -> str:
    return f"{message.get_channel_display()} {message.get_direction_display().lower()} {message.received_at:%-d %b %Y}"


def register() -> None:
    register_retention_rule(
        RetentionRule(
            key="correspondence.unfiled",
            category=Retention.CORRESPONDENCE,
            label="Messages never filed to a case, from when they arrived: deleted",
            action="delete",
            due=unfiled_due,
            apply=messages_delete,
            total=lambda office: (
                Message.objects.for_office(office).filter(case=None).exclude(triage_state=TriageState.CAMPAIGN).count()
            ),
            describe=_describe,
        )
    )
    register_retention_rule(
        RetentionRule(
            key="correspondence.campaign",
            category=Retention.CAMPAIGN,
            label="Campaign mail, from when it arrived: deleted",
            action="delete",
            due=campaign_due,
            apply=messages_delete,
            total=lambda office: Message.objects.for_office(office).filter(triage_state=TriageState.CAMPAIGN).count(),
            describe=_describe,
        )
    )
    register_retention_rule(
        RetentionRule(
            key="correspondence.outbox",
            category=Retention.CORRESPONDENCE,
            label="Sent email not on a case (acknowledgements), from when it was queued: deleted",
            action="delete",
            due=outbox_due,
            apply=outbox_delete,
            total=lambda office: OutgoingEmail.objects.for_office(office).filter(timeline_message__case=None).count(),
            describe=lambda row: f"Email {row.get_status_display().lower()}, queued {row.created_at:%-d %b %Y}",
        )
    )
    register_retention_rule(
        RetentionRule(
            key="correspondence.unparsed",
            category=Retention.CORRESPONDENCE,
            label="Emails kept raw that never became a message (quarantined, oversize): deleted",
            action="delete",
            due=unparsed_due,
            apply=raw_delete,
            total=lambda office: RawEmail.objects.for_office(office).filter(message=None).count(),
            describe=lambda raw: f"Raw email received {raw.received_at:%-d %b %Y} ({raw.get_parse_state_display()})",
        )
    )
