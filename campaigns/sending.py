"""Sending a campaign's approved response through the correspondence outbox.

One press of "send" writes, in one transaction, an outbox batch and one outbox row per message of
the campaign not yet answered, each with the idempotency key ``campaign-reply:<message>:v<version>``
(so a second press, or a retried request, adds nothing) and a ``CampaignReply`` naming the version.
The outbox's workers then send within the office's rate limit and daily cap; the batch is paused,
resumed or cancelled as one. "Not yet answered" means no reply queued, sending or sent: a newer
approved version goes only to those (the failed and cancelled included); one version goes to a
message once, so a failed row is retried from the outbox page.

Who gets what: constituents (and, by the office's setting, those whose constituency is unknown)
the campaign's response — in personalised mode, their own approved edit where there is one, and
nothing yet where an edit waits for approval; others nothing, or the office's short reply.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from campaigns import merge, responses
from campaigns import office as office_settings
from campaigns.models import (
    Campaign,
    CampaignMember,
    CampaignReply,
    CampaignSend,
    CampaignSettings,
    NonConstituentReply,
    ResponseMode,
    ResponseVersion,
    SendKind,
)
from constituents.models import InConstituency
from correspondence import outbox
from correspondence.models import BatchState, OutboxStatus, OutgoingEmail, Priority
from security.audit import audit_record
from security.errors import DomainError
from security.models import Office, User

ANSWERED = (OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.SENT)
SKIP_REASONS = {
    "non_constituent": "outside the constituency (the office sends them nothing)",
    "no_short_reply": "outside the constituency, and the short reply is not approved",
    "awaiting_approval": "their personal edit waits for approval",
    "no_address": "no email address to reply to",
    "tried": "this version already failed or was cancelled for them (retry failed ones from the outbox)",
    "same_address": "they sent it more than once: one reply goes to their address",
}


@dataclass
class Plan:
    version: ResponseVersion | None
    short: ResponseVersion | None
    pairs: list[tuple[CampaignMember, ResponseVersion]] = field(default_factory=list)
    skipped: collections.Counter = field(default_factory=collections.Counter)

    @property
    def by_version(self) -> dict[ResponseVersion, int]:
        return dict(collections.Counter(version for _, version in self.pairs))

    def skipped_described(self) -> list[tuple[str, int]]:
        return [(SKIP_REASONS[reason], n) for reason, n in self.skipped.items() if n]


def unanswered(campaign: Campaign) -> QuerySet[CampaignMember]:
    answered = CampaignReply.objects.for_office(campaign.office).filter(outgoing__status__in=ANSWERED)
    return (
        CampaignMember.objects.for_office(campaign.office)
        .filter(campaign=campaign)
        .exclude(pk__in=answered.values("member_id"))
    )


def plan(campaign: Campaign, members: QuerySet[CampaignMember] | None = None) -> Plan:
    """Who would get which approved version now (and who would not, and why)."""
    office = campaign.office
    version = responses.latest(office=office, campaign=campaign)
    if not responses.is_sendable(version):
        version = None
    settings = office_settings.settings_for(office)
    short = None
    if settings.non_constituents == NonConstituentReply.SHORT:
        short = responses.latest(office=office)
        short = short if responses.is_sendable(short) else None
    result = Plan(version=version, short=short)
    if version is None:
        return result
    members = (
        (members if members is not None else unanswered(campaign))
        .select_related("message__constituent", "campaign__office")
        .defer(*(f"message__{name}" for name in _HEAVY))
    )
    edits = _personal_edits(campaign) if campaign.mode == ResponseMode.PERSONALISED else {}
    # A version goes to a message once: what failed or was cancelled is retried from the outbox, or
    # answered with a newer version.
    replies = CampaignReply.objects.for_office(office).filter(member__campaign=campaign)
    tried = set(replies.values_list("member_id", "version_id"))
    # One person who sent the campaign twice gets one reply: the addresses answered or being answered.
    addressed = {
        address.lower()
        for address in replies.filter(outgoing__status__in=ANSWERED).values_list("outgoing__to_email", flat=True)
    }
    for member in members.order_by("id"):
        reason, chosen = _choose(member, version, short, edits, settings)
        if not reason and (member.pk, chosen.pk) in tried:
            reason = "tried"
        if not reason and member.reply_email.lower() in addressed:
            reason = "same_address"
        if reason:
            result.skipped[reason] += 1
        else:
            addressed.add(member.reply_email.lower())
            result.pairs.append((member, chosen))
    return result


# A message's bodies are not needed to answer it; for 10,000 members they would be most of the memory.
_HEAVY = ("text", "html", "references", "recipients", "form_data", "search_vector")


def _choose(
    member: CampaignMember,
    version: ResponseVersion,
    short: ResponseVersion | None,
    edits: dict[int, ResponseVersion],
    settings: CampaignSettings,
) -> tuple[str, ResponseVersion]:
    if not member.reply_email:
        return "no_address", version
    outside = member.in_constituency == InConstituency.NO or (
        member.in_constituency == InConstituency.UNKNOWN and not settings.unknown_as_constituents
    )
    if outside:
        if short is not None:
            return "", short
        wanted_short = settings.non_constituents == NonConstituentReply.SHORT
        return ("no_short_reply" if wanted_short else "non_constituent"), version
    edit = edits.get(member.pk)
    if edit is not None:
        return ("", edit) if responses.is_sendable(edit) else ("awaiting_approval", version)
    return "", version


def _personal_edits(campaign: Campaign) -> dict[int, ResponseVersion]:
    """Each member's newest personal edit."""
    newest: dict[int, ResponseVersion] = {}
    rows = ResponseVersion.objects.for_office(campaign.office).filter(member__campaign=campaign).order_by("number")
    for version in rows:
        newest[version.member_id] = version
    return newest


@transaction.atomic
def campaign_send(*, campaign: Campaign, actor: User, version: ResponseVersion) -> CampaignSend:
    """Queue the approved ``version`` to every member not yet answered, in one transaction.

    ``version`` is what the person saw on the confirmation page; if it is no longer the approved
    one (edited, or a newer one approved meanwhile) nothing is sent.
    """
    campaign = Campaign.objects.for_office(campaign.office).select_for_update().get(pk=campaign.pk)
    if not campaign.is_active:
        raise DomainError("This campaign was merged or dissolved: send from the campaign it became.")
    found = plan(campaign)
    if found.version is None:
        raise DomainError("There is no approved response to send. The MP (or a named approver) must approve it first.")
    if found.version.pk != version.pk:
        raise DomainError(
            f"The response changed: version {found.version.number} is now the approved one. Check it and send again."
        )
    if not found.pairs:
        raise DomainError("Every message of this campaign has been answered (or is being answered) already.")
    send = _send_create(campaign, version, actor, SendKind.BULK)
    added = _queue(send, found.pairs, actor=actor, priority=Priority.BULK)
    send.recipients, send.skipped = added, dict(found.skipped)
    send.save(update_fields=["recipients", "skipped"])
    audit_record(verb="campaigns.send.started", office=campaign.office, actor=actor, obj=send)
    return send


def _send_create(campaign: Campaign, version: ResponseVersion, actor: User | None, kind: str) -> CampaignSend:
    what = "replies to later arrivals" if kind == SendKind.ARRIVALS else "reply"
    batch = outbox.batch_create(
        office=campaign.office, label=f"Campaign {what}: {campaign.name} (version {version.number})", actor=actor
    )
    return CampaignSend.objects.create(
        office=campaign.office, campaign=campaign, version=version, batch=batch, kind=kind, started_by=actor
    )


def _queue(
    send: CampaignSend, pairs: list[tuple[CampaignMember, ResponseVersion]], *, actor: User | None, priority: int
) -> int:
    campaign = send.campaign
    keys: dict[str, tuple[CampaignMember, ResponseVersion]] = {}
    drafts = []
    for member, version in pairs:
        key = f"campaign-reply:{member.message_id}:v{version.pk}"
        keys[key] = (member, version)
        drafts.append(_draft(key, member, version, campaign))
    added = outbox.outbox_enqueue_many(
        office=campaign.office, drafts=drafts, priority=priority, batch=send.batch, actor=actor
    )
    rows = OutgoingEmail.objects.for_office(campaign.office).filter(idempotency_key__in=list(keys), batch=send.batch)
    CampaignReply.objects.for_office(campaign.office).bulk_create(
        [
            CampaignReply(office=campaign.office, member=keys[key][0], version=keys[key][1], send=send, outgoing_id=pk)
            for key, pk in rows.values_list("idempotency_key", "pk")
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return added


def _draft(key: str, member: CampaignMember, version: ResponseVersion, campaign: Campaign) -> outbox.Draft:
    values = responses.merge_values(member=member, campaign=campaign)
    message = member.message
    headers = {}
    if message.message_id:
        headers = {"In-Reply-To": f"<{message.message_id}>", "References": f"<{message.message_id}>"}
    if campaign.mode == ResponseMode.ACKNOWLEDGEMENT:
        headers["Auto-Submitted"] = "auto-replied"
    return outbox.Draft(
        idempotency_key=key,
        to_email=member.reply_email,
        to_name=member.reply_name,
        subject=merge.render(version.subject, values),
        text=merge.render(version.body, values) + "\n",
        headers=headers,
        constituent=message.constituent,
    )


def reply_to_arrivals(*, office: Office, members: list[CampaignMember]) -> int:
    """Later arrivals to a campaign that answers automatically get the approved response at once
    (in the detection transaction). Returns how many were queued."""
    by_campaign: dict[int, list[int]] = collections.defaultdict(list)
    for member in members:
        by_campaign[member.campaign_id].append(member.pk)
    queued = 0
    automatic = (
        Campaign.objects.for_office(office)
        .filter(pk__in=list(by_campaign))
        .filter(Q(mode=ResponseMode.ACKNOWLEDGEMENT) | Q(reply_to_later=True))
    )
    for campaign in automatic:
        found = plan(campaign, unanswered(campaign).filter(pk__in=by_campaign[campaign.pk]))
        if found.version is None or not found.pairs:
            continue
        send = (
            CampaignSend.objects.for_office(office)
            .filter(campaign=campaign, version=found.version, kind=SendKind.ARRIVALS)
            .select_related("batch")
            .first()
        ) or _send_create(campaign, found.version, None, SendKind.ARRIVALS)
        if send.batch.state == BatchState.CANCELLED:
            continue  # a person stopped automatic replies with this version
        priority = Priority.AUTOMATIC if campaign.mode == ResponseMode.ACKNOWLEDGEMENT else Priority.BULK
        added = _queue(send, found.pairs, actor=None, priority=priority)
        CampaignSend.objects.for_office(office).filter(pk=send.pk).update(recipients=send.recipients + added)
        queued += added
    return queued


@transaction.atomic
def send_set_state(*, send: CampaignSend, state: str, actor: User) -> CampaignSend:
    """Pause, resume or cancel a send (cancelling leaves what was sent, and cannot be undone)."""
    if state not in BatchState.values:
        raise DomainError("Choose pause, resume or cancel.")
    try:
        outbox.batch_set_state(batch=send.batch, state=state, actor=actor)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    audit_record(verb=f"campaigns.send.{state}", office=send.office, actor=actor, obj=send)
    send.batch.refresh_from_db()
    return send


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    pending: int
    cancelled: int
    state: str
    reasons: list[tuple[str, int]]  # why rows failed, commonest first
    retrying: list[tuple[str, int]]  # why rows wait to be tried again

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.cancelled

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.pending == 0


def progress(send: CampaignSend) -> Progress:
    return progress_many(send.office, [send])[0][1]


def progress_many(office: Office, sends: list[CampaignSend]) -> list[tuple[CampaignSend, Progress]]:
    """Each send's counts by state and the reasons for its failures, in two queries for all."""
    if not sends:
        return []
    counted = {batch.pk: counts for batch, counts in outbox.batches_with_progress(office, [s.batch for s in sends])}
    grouped = (
        OutgoingEmail.objects.for_office(office)
        .filter(batch_id__in=[s.batch_id for s in sends], status__in=(OutboxStatus.FAILED, OutboxStatus.QUEUED))
        .exclude(last_error="")
        .values_list("batch_id", "status", "last_error")
        .annotate(n=Count("id"))
        .order_by("-n", "last_error")
    )
    reasons: dict[tuple[int, str], list[tuple[str, int]]] = collections.defaultdict(list)
    for batch_id, status, reason, n in grouped:
        if len(reasons[(batch_id, status)]) < 5:
            reasons[(batch_id, status)].append((reason, n))
    result = []
    for send in sends:
        counts = counted[send.batch_id]
        result.append(
            (
                send,
                Progress(
                    total=sum(counts.values()),
                    sent=counts[OutboxStatus.SENT],
                    failed=counts[OutboxStatus.FAILED],
                    pending=counts[OutboxStatus.QUEUED] + counts[OutboxStatus.SENDING],
                    cancelled=counts[OutboxStatus.CANCELLED],
                    state=send.batch.state,
                    reasons=reasons[(send.batch_id, OutboxStatus.FAILED)],
                    retrying=reasons[(send.batch_id, OutboxStatus.QUEUED)],
                ),
            )
        )
    return result
