"""The daily email to each member of staff of the enquiries due and overdue on their cases.

Each person's digest for a day is one row: inserting it claims the day, and a claim whose
worker died before sending is taken over after the lease. Members can opt out.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from correspondence.models import OPEN_STATUSES, DigestOptOut, DigestSent, Enquiry
from mpoffice.lib import emails
from mpoffice.lib.workingdays import add_working_days
from security.models import Membership, Office, User
from security.roles import Role

logger = logging.getLogger(__name__)
DUE_SOON_WORKING_DAYS = 5


def digest_rows(*, office: Office, user: User, today: dt.date) -> tuple[list[dict], list[dict]]:
    """(overdue, due soon) enquiries on the cases assigned to ``user``."""
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS, office.nation)
    enquiries = (
        Enquiry.objects.for_office(office)
        .filter(case__assignee=user, status__in=OPEN_STATUSES, due_on__lte=horizon)
        .select_related("organisation", "case")
        .order_by("due_on", "id")
    )
    overdue, due_soon = [], []
    for enquiry in enquiries:
        row = {
            "organisation": enquiry.organisation.name,
            "reference": enquiry.case.reference,
            "due_on": enquiry.due_on,
            "link": reverse("casework:case_detail", kwargs={"case_id": enquiry.case_id}),
        }
        (overdue if enquiry.due_on < today else due_soon).append(row)
    return overdue, due_soon


def digest_opt_out(*, office: Office, user: User, opt_out: bool) -> None:
    if opt_out:
        DigestOptOut.objects.for_office(office).get_or_create(office=office, user=user)
    else:
        DigestOptOut.objects.for_office(office).filter(user=user).delete()


def digests_send_due(now: dt.datetime | None = None) -> int:
    """After DIGEST_HOUR (office time), send each member their digest for today, once."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.DIGEST_HOUR:
        return 0
    sent = 0
    for membership in _recipients(local.date()):
        if _claim(membership, local.date(), now):
            sent += _send(membership, local.date())
    return sent


def _recipients(today: dt.date):
    opted_out = DigestOptOut.unscoped.filter(office_id=OuterRef("office_id"), user_id=OuterRef("user_id"))
    done = DigestSent.unscoped.filter(
        office_id=OuterRef("office_id"), user_id=OuterRef("user_id"), day=today, sent_at__isnull=False
    )
    return (
        Membership.objects.filter(is_active=True, user__is_active=True, office__is_active=True)
        .exclude(role=Role.VOLUNTEER)
        .exclude(Q(Exists(opted_out)) | Q(Exists(done)))
        .select_related("user", "office")
    )


def _claim(membership: Membership, today: dt.date, now: dt.datetime) -> bool:
    lease = dt.timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS)
    try:
        with transaction.atomic():
            DigestSent.objects.create(office=membership.office, user=membership.user, day=today, claimed_at=now)
        return True
    except IntegrityError:
        # Someone claimed it: take it over only if their lease ran out before it was sent.
        stale = DigestSent.objects.for_office(membership.office).filter(
            user=membership.user, day=today, sent_at__isnull=True, claimed_at__lt=now - lease
        )
        return bool(stale.update(claimed_at=now))


def _send(membership: Membership, today: dt.date) -> int:
    office, user = membership.office, membership.user
    overdue, due_soon = digest_rows(office=office, user=user, today=today)
    if overdue or due_soon:
        try:
            emails.send_enquiry_digest(to=user.email, office_name=office.name, overdue=overdue, due_soon=due_soon)
        except Exception:  # noqa: BLE001 - the claim lapses and the next sweep after the lease tries again
            logger.warning("The enquiry digest for user %s could not be sent; it will be retried.", user.pk)
            return 0
    DigestSent.objects.for_office(office).filter(user=user, day=today).update(sent_at=timezone.now())
    return 1 if (overdue or due_soon) else 0
