"""What people do with campaigns: confirm, rename, merge, split, dissolve, move messages in and out,
choose how they are answered, and the office's settings.

Every change of membership takes the office's detection lock first (``campaigns.office.lock``),
so it never interleaves with detection deciding about the same messages. A message taken out of a
campaign by a person goes back to triage and is never grouped again automatically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from campaigns import constituency, template, text
from campaigns import office as office_lock
from campaigns.models import (
    ACTIVE_STATES,
    Campaign,
    CampaignMember,
    CampaignReply,
    CampaignSettings,
    CampaignState,
    JoinedBy,
    MessageSignature,
    ResponseMode,
    SignatureBand,
)
from correspondence.models import Direction, Message, TriageState
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User
from security.scoping import ensure_same_office

MAX_NAME = 200


def _ensure_active(*campaigns: Campaign) -> None:
    for campaign in campaigns:
        if campaign.state not in ACTIVE_STATES:
            raise DomainError(f"“{campaign.name}” was merged or dissolved; it cannot change any more.")


def _fresh(campaign: Campaign) -> Campaign:
    return Campaign.objects.for_office(campaign.office).select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_confirm(*, campaign: Campaign, actor: User) -> Campaign:
    """A person agrees that this is a campaign (it stays out of the triage page's new list)."""
    campaign = _fresh(campaign)
    _ensure_active(campaign)
    if campaign.state == CampaignState.CONFIRMED:
        return campaign
    campaign.state, campaign.confirmed_at, campaign.confirmed_by = CampaignState.CONFIRMED, timezone.now(), actor
    campaign.save(update_fields=["state", "confirmed_at", "confirmed_by", "updated_at"])
    audit_record(verb="campaigns.campaign.confirmed", office=campaign.office, actor=actor, obj=campaign)
    return campaign


@transaction.atomic
def campaign_rename(*, campaign: Campaign, actor: User, name: str) -> Campaign:
    name = " ".join(name.split())
    if not name:
        raise DomainError("Give the campaign a name.")
    if len(name) > MAX_NAME:
        raise DomainError(f"Keep the name under {MAX_NAME} characters.")
    campaign = _fresh(campaign)
    campaign.name = name
    campaign.save(update_fields=["name", "updated_at"])
    audit_record(verb="campaigns.campaign.renamed", office=campaign.office, actor=actor, obj=campaign, fields=["name"])
    return campaign


@transaction.atomic
def campaign_set_mode(*, campaign: Campaign, actor: User, mode: str, reply_to_later: bool) -> Campaign:
    """How the campaign is answered; acknowledgements (and, when chosen, the approved response) go to
    later arrivals automatically — only ever an approved version."""
    if mode not in ResponseMode.values:
        raise DomainError("Choose how the campaign is answered.")
    campaign = _fresh(campaign)
    _ensure_active(campaign)
    campaign.mode, campaign.reply_to_later = mode, reply_to_later or mode == ResponseMode.ACKNOWLEDGEMENT
    campaign.save(update_fields=["mode", "reply_to_later", "updated_at"])
    audit_record(
        verb="campaigns.campaign.mode_changed",
        office=campaign.office,
        actor=actor,
        obj=campaign,
        fields=["mode", "reply_to_later"],
    )
    return campaign


@transaction.atomic
def campaign_merge(*, source: Campaign, target: Campaign, actor: User) -> Campaign:
    """Move every message of ``source`` into ``target``; ``source`` is kept, marked merged."""
    ensure_same_office(source.office, target)
    if source.pk == target.pk:
        raise DomainError("Choose another campaign to merge into.")
    settings = office_lock.lock(source.office)
    source, target = _fresh(source), _fresh(target)
    _ensure_active(source, target)
    moved = CampaignMember.objects.for_office(source.office).filter(campaign=source).update(campaign=target)
    source.state, source.merged_into = CampaignState.MERGED, target
    source.save(update_fields=["state", "merged_into", "updated_at"])
    template.refresh(target, settings)
    audit_record(verb="campaigns.campaign.merged", office=source.office, actor=actor, obj=source)
    audit_record(verb="campaigns.campaign.merged_in", office=target.office, actor=actor, obj=target)
    if not moved:
        raise DomainError("That campaign has no messages to merge.")
    return target


@transaction.atomic
def campaign_split(*, campaign: Campaign, members: Iterable[CampaignMember], actor: User, name: str) -> Campaign:
    """Move the chosen messages into a new campaign of their own (confirmed: a person made it)."""
    settings = office_lock.lock(campaign.office)
    campaign = _fresh(campaign)
    _ensure_active(campaign)
    chosen = [member.pk for member in members if member.campaign_id == campaign.pk]
    remaining = CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign).exclude(pk__in=chosen)
    if not chosen:
        raise DomainError("Tick the messages that belong to another campaign.")
    if not remaining.exists():
        raise DomainError("Leave at least one message in this campaign (or rename it instead).")
    name = " ".join(name.split())[:MAX_NAME] or f"{campaign.name} (split)"[:MAX_NAME]
    now = timezone.now()
    new = Campaign.objects.create(
        office=campaign.office, name=name, state=CampaignState.CONFIRMED, confirmed_at=now, confirmed_by=actor
    )
    CampaignMember.objects.for_office(campaign.office).filter(pk__in=chosen).update(campaign=new)
    for each in (campaign, new):
        template.refresh(each, settings)
    audit_record(verb="campaigns.campaign.split", office=campaign.office, actor=actor, obj=campaign)
    audit_record(verb="campaigns.campaign.split_off", office=campaign.office, actor=actor, obj=new)
    return new


@transaction.atomic
def campaign_dissolve(*, campaign: Campaign, actor: User) -> Campaign:
    """Not a campaign after all: its messages go back to triage and are not grouped again."""
    office_lock.lock(campaign.office)
    campaign = _fresh(campaign)
    _ensure_active(campaign)
    members = CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign)
    if CampaignReply.objects.for_office(campaign.office).filter(member__in=members).exists():
        raise DomainError("Replies have gone out from this campaign; move single messages out instead.")
    message_ids = list(members.values_list("message_id", flat=True))
    _release(campaign.office, message_ids)
    members.delete()
    campaign.state = CampaignState.DISSOLVED
    campaign.save(update_fields=["state", "updated_at"])
    audit_record(verb="campaigns.campaign.dissolved", office=campaign.office, actor=actor, obj=campaign)
    return campaign


@transaction.atomic
def member_remove(*, member: CampaignMember, actor: User) -> Message:
    """Take one message out of its campaign: back to triage, never grouped again automatically."""
    office_lock.lock(member.office)
    member = CampaignMember.objects.for_office(member.office).select_related("campaign", "message").get(pk=member.pk)
    if CampaignReply.objects.for_office(member.office).filter(member=member).exists():
        raise DomainError("This message has been answered from the campaign; it stays with it.")
    message = member.message
    _release(member.office, [message.pk])
    member.delete()
    audit_record(verb="campaigns.member.removed", office=member.office, actor=actor, obj=member.campaign)
    message.refresh_from_db()
    return message


def _release(office: Office, message_ids: list[int]) -> None:
    Message.objects.for_office(office).filter(pk__in=message_ids, triage_state=TriageState.CAMPAIGN).update(
        triage_state=TriageState.NEW, updated_at=timezone.now()
    )
    MessageSignature.objects.for_office(office).filter(message_id__in=message_ids).update(excluded=True)
    SignatureBand.objects.for_office(office).filter(signature__message_id__in=message_ids).delete()


@transaction.atomic
def member_add(*, campaign: Campaign, message: Message, actor: User) -> CampaignMember:
    """Move a message into the campaign by hand (from triage, or from another campaign)."""
    ensure_same_office(campaign.office, message)
    settings = office_lock.lock(campaign.office)
    campaign = _fresh(campaign)
    _ensure_active(campaign)
    message = Message.objects.for_office(campaign.office).select_for_update().get(pk=message.pk)
    if message.direction != Direction.INBOUND:
        raise DomainError("Only a message received can join a campaign.")
    current = CampaignMember.objects.for_office(campaign.office).filter(message=message).first()
    if current is not None:
        if current.campaign_id == campaign.pk:
            return current
        if CampaignReply.objects.for_office(campaign.office).filter(member=current).exists():
            raise DomainError("This message has been answered from its campaign; it stays with it.")
        current.delete()
    elif message.triage_state != TriageState.NEW:
        raise DomainError("Only a message waiting in triage (or in another campaign) can join a campaign.")
    hashes = template.hashes_of(message.text, settings)
    signature, _ = MessageSignature.objects.for_office(campaign.office).get_or_create(
        office=campaign.office,
        message=message,
        defaults={"sender_key": message.sender_email.lower(), "received_at": message.received_at},
    )
    if signature.excluded:
        signature.excluded = False
        signature.save(update_fields=["excluded"])
    # Its band keys (if it has them) now lead to the campaign whatever the message's age.
    SignatureBand.objects.for_office(campaign.office).filter(signature=signature).update(received_at=None)
    flag, share = template.personalised(hashes, text.from_bytes(campaign.template))
    verdict = constituency.check_many(campaign.office, [message])[message.pk]
    member = CampaignMember.objects.create(
        office=campaign.office,
        campaign=campaign,
        message=message,
        reply_email=signature.sender_key or message.sender_email,
        reply_name=message.sender_name,
        postcode=verdict.postcode,
        in_constituency=verdict.in_constituency,
        ward_id=verdict.ward_id,
        personalised=flag,
        own_share=share,
        joined_by=JoinedBy.PERSON,
        received_at=message.received_at,
    )
    Message.objects.for_office(campaign.office).filter(pk=message.pk).update(
        triage_state=TriageState.CAMPAIGN, updated_at=timezone.now()
    )
    _touch(campaign)
    audit_record(verb="campaigns.member.added", office=campaign.office, actor=actor, obj=campaign)
    return member


def _touch(campaign: Campaign) -> None:
    times = (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .aggregate(first=Min("received_at"), last=Max("received_at"))
    )
    if times["first"]:
        campaign.first_message_at, campaign.last_message_at = times["first"], times["last"]
        campaign.save(update_fields=["first_message_at", "last_message_at", "updated_at"])


@transaction.atomic
def settings_update(*, office: Office, actor: User, **values: object) -> CampaignSettings:
    settings = office_lock.lock(office)
    changed = [name for name, value in values.items() if getattr(settings, name) != value]
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    audit_record(verb="campaigns.settings.changed", office=office, actor=actor, obj=settings, fields=changed)
    return settings


def signatures_prune(now: dt.datetime | None = None) -> int:
    """Forget band keys that can no longer matter: messages outside campaigns older than the office's
    window (they can no longer help found one). Returns the band rows deleted."""
    now = now or timezone.now()
    deleted = 0
    for settings in CampaignSettings.unscoped.select_related("office"):
        cutoff = now - dt.timedelta(days=settings.window_days + 1)
        stale = SignatureBand.objects.for_office(settings.office).filter(received_at__lt=cutoff)
        deleted += stale.delete()[0]
    return deleted
