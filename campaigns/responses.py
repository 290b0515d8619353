"""Response texts and their approval: every edit a new version, nothing sent unless approved.

A caseworker drafts and submits; the MP, or a member of staff the MP has named, approves or sends
it back with comments. An approved version is never changed: editing it makes a new version that
needs approval again. Approval records a digest of the exact subject and body, and sending checks
it, so no path can send text the approver did not see.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from campaigns import merge
from campaigns.models import Campaign, CampaignMember, CampaignSettings, ResponseVersion, VersionState
from security.audit import audit_record
from security.errors import DomainError
from security.models import Membership, Office, User
from security.roles import Role
from security.services import notification_create

MAX_SUBJECT = 300


def digest(subject: str, body: str) -> str:
    return hashlib.sha256(f"{subject}\x00{body}".encode()).hexdigest()


def chain(*, office: Office, campaign: Campaign | None = None, member: CampaignMember | None = None) -> QuerySet:
    """The versions of one text, newest first: a campaign's response, one message's personal edit,
    or (neither given) the office's short reply to non-constituents."""
    rows = ResponseVersion.objects.for_office(office)
    if member is not None:
        return rows.filter(member=member)
    if campaign is not None:
        return rows.filter(campaign=campaign, member__isnull=True)
    return rows.filter(campaign__isnull=True, member__isnull=True)


def chain_of(version: ResponseVersion) -> QuerySet:
    return chain(office=version.office, campaign=version.campaign, member=version.member)


def latest(**where: object) -> ResponseVersion | None:
    return chain(**where).order_by("-number").first()  # type: ignore[arg-type]


def is_sendable(version: ResponseVersion | None) -> bool:
    """Approved, unchanged since, and the newest of its text: an edit after approval stops sending."""
    if version is None or version.state != VersionState.APPROVED:
        return False
    if version.approved_digest != digest(version.subject, version.body):
        return False
    newest = chain_of(version).aggregate(n=Max("number"))["n"]
    return newest == version.number


def _lock_chain(office: Office, campaign: Campaign | None, member: CampaignMember | None) -> None:
    # Numbers are given under a lock on the chain's owner, so two editors never take the same one.
    if member is not None:
        CampaignMember.objects.for_office(office).select_for_update().filter(pk=member.pk).first()
    elif campaign is not None:
        Campaign.objects.for_office(office).select_for_update().filter(pk=campaign.pk).first()
    else:
        CampaignSettings.objects.for_office(office).select_for_update().first()


@transaction.atomic
def version_save(
    *,
    office: Office,
    actor: User,
    subject: str,
    body: str,
    submit: bool,
    campaign: Campaign | None = None,
    member: CampaignMember | None = None,
) -> ResponseVersion:
    """A new version of the text (a draft, or submitted for approval at once)."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise DomainError("Give the response a subject.")
    if len(subject) > MAX_SUBJECT:
        raise DomainError(f"Keep the subject under {MAX_SUBJECT} characters.")
    if not body:
        raise DomainError("Write the response.")
    found = merge.problems(subject) + merge.problems(body)
    if found:
        raise DomainError(" ".join(dict.fromkeys(found)))
    if member is not None:
        campaign = member.campaign
    if campaign is not None and not campaign.is_active:
        raise DomainError("This campaign was merged or dissolved; write the response on the campaign it became.")
    _lock_chain(office, campaign, member)
    number = (chain(office=office, campaign=campaign, member=member).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    version = ResponseVersion.objects.create(
        office=office,
        campaign=campaign,
        member=member,
        number=number,
        subject=subject,
        body=body,
        state=VersionState.SUBMITTED if submit else VersionState.DRAFT,
        created_by=actor,
        created_at=now,
        submitted_by=actor if submit else None,
        submitted_at=now if submit else None,
    )
    audit_record(
        verb="campaigns.response.submitted" if submit else "campaigns.response.drafted",
        office=office,
        actor=actor,
        obj=version,
        fields=["subject", "body"],
    )
    if submit:
        _notify_approvers(version, actor)
    return version


@transaction.atomic
def version_submit(*, version: ResponseVersion, actor: User) -> ResponseVersion:
    version = _locked(version)
    if version.state != VersionState.DRAFT:
        raise DomainError("Only a draft can be submitted for approval.")
    _ensure_newest(version)
    version.state, version.submitted_by, version.submitted_at = VersionState.SUBMITTED, actor, timezone.now()
    version.save(update_fields=["state", "submitted_by", "submitted_at"])
    audit_record(verb="campaigns.response.submitted", office=version.office, actor=actor, obj=version)
    _notify_approvers(version, actor)
    return version


def _ensure_may_approve(version: ResponseVersion, membership: Membership) -> None:
    if not membership.may_approve or membership.office_id != version.office_id:
        raise PermissionDenied("Only the MP, or staff the MP has named, may approve responses.")
    if version.submitted_by_id == membership.user_id and membership.role != Role.MP:
        raise PermissionDenied("You submitted this version: the MP or another named approver must decide on it.")


@transaction.atomic
def version_approve(*, version: ResponseVersion, membership: Membership) -> ResponseVersion:
    """The MP (or a named delegate) approves exactly this text."""
    _ensure_may_approve(version, membership)
    version = _locked(version)
    if version.state != VersionState.SUBMITTED:
        raise DomainError("Only a version waiting for approval can be approved.")
    _ensure_newest(version)
    version.state, version.decided_by, version.decided_at = VersionState.APPROVED, membership.user, timezone.now()
    version.approved_digest = digest(version.subject, version.body)
    version.comment = ""
    version.save(update_fields=["state", "decided_by", "decided_at", "approved_digest", "comment"])
    audit_record(verb="campaigns.response.approved", office=version.office, actor=membership.user, obj=version)
    _notify_author(version, f"Approved: {version.subject}"[:200])
    return version


@transaction.atomic
def version_return(*, version: ResponseVersion, membership: Membership, comment: str) -> ResponseVersion:
    """Send a version back with the approver's comments; the author edits it into a new version."""
    _ensure_may_approve(version, membership)
    comment = comment.strip()
    if not comment:
        raise DomainError("Say what should change.")
    version = _locked(version)
    if version.state != VersionState.SUBMITTED:
        raise DomainError("Only a version waiting for approval can be sent back.")
    version.state, version.decided_by, version.decided_at = VersionState.RETURNED, membership.user, timezone.now()
    version.comment = comment[:5000]
    version.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    audit_record(
        verb="campaigns.response.returned",
        office=version.office,
        actor=membership.user,
        obj=version,
        fields=["comment"],
    )
    _notify_author(version, f"Sent back with comments: {version.subject}"[:200])
    return version


def _locked(version: ResponseVersion) -> ResponseVersion:
    return ResponseVersion.objects.for_office(version.office).select_for_update().get(pk=version.pk)


def _ensure_newest(version: ResponseVersion) -> None:
    newest = chain_of(version).aggregate(n=Max("number"))["n"]
    if newest != version.number:
        raise DomainError(f"Version {version.number} has been replaced by version {newest}; decide on that one.")


def version_url(version: ResponseVersion) -> str:
    return reverse("campaigns:version_detail", kwargs={"version_id": version.pk})


def _notify_approvers(version: ResponseVersion, actor: User) -> None:
    approvers = Membership.objects.filter(office=version.office, is_active=True).select_related("user")
    for membership in approvers:
        if membership.may_approve and membership.user_id != actor.pk:
            notification_create(
                office=version.office,
                recipient=membership.user,
                kind="campaigns.response.submitted",
                title=f"A response waits for your approval: {version.subject}"[:200],
                link=version_url(version),
            )


def _notify_author(version: ResponseVersion, title: str) -> None:
    if version.submitted_by_id and version.submitted_by_id != version.decided_by_id:
        notification_create(
            office=version.office,
            recipient=version.submitted_by,
            kind="campaigns.response.decided",
            title=title,
            link=version_url(version),
        )


def merge_values(*, member: CampaignMember, campaign: Campaign) -> dict[str, str]:
    """The merge fields' values for one message (its constituent's name when linked)."""
    constituent = member.message.constituent
    names = merge.names_for(
        first=constituent.first_name if constituent else "",
        last=constituent.last_name if constituent else "",
        whole=member.reply_name,
    )
    office = campaign.office
    return {**names, "mp_name": office.mp_name, "constituency": office.constituency, "campaign": campaign.name}
