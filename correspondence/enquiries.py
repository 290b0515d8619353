"""Third-party enquiries: the due date, the lifecycle, and the sweep that reminds, chases and escalates.

Deadlines live in the database. Each open enquiry holds its next step and the day it is due;
the beat sweep claims due enquiries with ``FOR UPDATE SKIP LOCKED`` in batches, does each
step's work (a notification, a drafted chaser, an escalation) in the same transaction as the
row that records it, and moves the enquiry on. Two sweeps at once, a worker killed mid-batch
or a second beat by mistake therefore cannot repeat a step.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Case, CaseStatus
from constituents.models import Organisation, TargetUnit
from correspondence import merge, outbox, search_index
from correspondence.models import (
    DEFAULT_LADDER,
    OPEN_STATUSES,
    Channel,
    Direction,
    Enquiry,
    EnquirySettings,
    EnquiryStatus,
    EnquiryStep,
    LetterTemplate,
    Message,
    NextAction,
    Priority,
    SentVia,
    StepKind,
    TriageState,
)
from mpoffice.lib.workingdays import add_working_days, subtract_working_days, working_days_between
from security.audit import audit_record
from security.errors import DomainError
from security.models import Membership, Notification, Office, User
from security.roles import Role
from security.scoping import ensure_same_office
from security.services import notification_create, notifications_create_many

logger = logging.getLogger(__name__)
DEFAULT_TARGET_CALENDAR_DAYS = 21
# Dates further out than these are typing mistakes (and would overflow the calendar).
OLDEST_SENT = dt.timedelta(days=3650)
FURTHEST_DUE = dt.timedelta(days=730)


# --- Dates ---------------------------------------------------------------------------------
def target_date(*, office: Office, organisation: Organisation, sent_on: dt.date) -> dt.date:
    """When the organisation's own target says the answer is due: working days skip weekends and
    the office nation's bank holidays; without a target, three weeks."""
    if organisation.reply_target is None:
        return sent_on + dt.timedelta(days=DEFAULT_TARGET_CALENDAR_DAYS)
    if organisation.reply_target_unit == TargetUnit.CALENDAR:
        return sent_on + dt.timedelta(days=organisation.reply_target)
    return add_working_days(sent_on, organisation.reply_target, office.nation)


def settings_for(office: Office) -> EnquirySettings:
    found = EnquirySettings.objects.for_office(office).first()
    if found is not None:
        return found
    found, _ = EnquirySettings.objects.for_office(office).get_or_create(
        office=office, defaults={"ladder": DEFAULT_LADDER}
    )
    return found


@transaction.atomic
def enquiry_settings_update(*, rules: EnquirySettings, actor: User, **values: object) -> EnquirySettings:
    """Change the office's chasing rules; each open enquiry's next step keeps its date."""
    ensure_same_office(rules.office, values.get("chaser_template"))
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
    audit_record(
        verb="correspondence.enquiry_settings.changed", office=rules.office, actor=actor, obj=rules, fields=list(values)
    )
    return rules


def _schedule_from_due(enquiry: Enquiry, rules: EnquirySettings) -> None:
    """A new due date: remind before it, then chase on it."""
    enquiry.next_action = NextAction.REMIND
    enquiry.next_action_on = subtract_working_days(enquiry.due_on, rules.remind_days_before, enquiry.office.nation)


def _close_schedule(enquiry: Enquiry) -> None:
    enquiry.next_action = NextAction.NONE
    enquiry.next_action_on = None


# --- Creating and the lifecycle --------------------------------------------------------------
@dataclass(frozen=True)
class NewEnquiry:
    organisation: Organisation
    question: str
    sent_via: str
    sent_on: dt.date
    sent_message: Message | None = None
    due_override: dt.date | None = None
    override_reason: str = ""
    identifiers: dict[str, str] | None = None
    written_consent_held: bool = False


def missing_requirements(enquiry: Enquiry) -> list[str]:
    """What the organisation asks for that the enquiry does not record: shown as warnings."""
    given = {name for name, value in (enquiry.identifiers or {}).items() if str(value).strip()}
    missing = [name for name in enquiry.organisation.required_identifiers if name not in given]
    if enquiry.organisation.requires_written_consent and not enquiry.written_consent_held:
        missing.append("The constituent's written consent")
    return missing


def _check_new(case: Case, new: NewEnquiry, today: dt.date) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(f"Case {case.reference} is closed: reopen it before recording an enquiry.")
    if not new.organisation.is_active:
        raise DomainError(f"{new.organisation.name} is retired from the directory: choose the body that replaced it.")
    if not new.question.strip():
        raise DomainError("Say what was asked.")
    if new.sent_via not in SentVia.values:
        raise DomainError("Say how the enquiry was sent.")
    if new.sent_on > today:
        raise DomainError("The enquiry cannot have been sent in the future.")
    if new.sent_on < today - OLDEST_SENT:
        raise DomainError("That sent date is more than ten years ago: check the year.")
    if new.due_override is not None:
        _check_due(new.due_override, new.override_reason, today)


def _check_due(due_on: dt.date, reason: str, today: dt.date) -> None:
    if due_on < today:
        raise DomainError("A due date in the past cannot be set: choose today or later.")
    if due_on > today + FURTHEST_DUE:
        raise DomainError("A due date more than two years away cannot be set: check the year.")
    if not reason.strip():
        raise DomainError("Give a reason for changing the due date.")


@transaction.atomic
def enquiry_create(*, case: Case, actor: User | None, new: NewEnquiry) -> Enquiry:
    """Record an enquiry; the case waits on the third party and the office's own clock pauses."""
    today = timezone.localdate()
    ensure_same_office(case.office, new.organisation, new.sent_message)
    _check_new(case, new, today)
    target = target_date(office=case.office, organisation=new.organisation, sent_on=new.sent_on)
    enquiry = Enquiry(
        office=case.office,
        case=case,
        organisation=new.organisation,
        question=new.question.strip(),
        sent_via=new.sent_via,
        sent_message=new.sent_message,
        sent_on=new.sent_on,
        target_on=target,
        due_on=new.due_override or target,
        due_override_reason=new.override_reason.strip() if new.due_override else "",
        identifiers={k: v for k, v in (new.identifiers or {}).items() if str(v).strip()},
        written_consent_held=new.written_consent_held,
        created_by=actor,
    )
    _schedule_from_due(enquiry, settings_for(case.office))
    enquiry.save()
    if case.status != CaseStatus.AWAITING_THIRD_PARTY:
        casework_services.case_set_status(case=case, actor=actor, status=CaseStatus.AWAITING_THIRD_PARTY)
    audit_record(
        verb="correspondence.enquiry.created",
        office=case.office,
        actor=actor,
        obj=enquiry,
        fields=["organisation", "question", "sent_via", "sent_on", "due_on"],
    )
    return enquiry


def _locked(enquiry: Enquiry) -> Enquiry:
    return (
        Enquiry.objects.for_office(enquiry.office).select_for_update().select_related("organisation").get(pk=enquiry.pk)
    )


def _require_open(enquiry: Enquiry) -> None:
    if not enquiry.is_open:
        raise DomainError(f"This enquiry is {enquiry.get_status_display().lower()}: nothing more to do.")


def _step(enquiry: Enquiry, kind: str, actor: User | None, **values: object) -> EnquiryStep:
    return EnquiryStep.objects.create(office=enquiry.office, enquiry=enquiry, kind=kind, actor=actor, **values)


@transaction.atomic
def enquiry_holding_reply(
    *, enquiry: Enquiry, actor: User | None, extra_days: int, working_days: bool, note: str = ""
) -> Enquiry:
    """They replied to say they need longer: the due date moves by what they stated."""
    enquiry = _locked(enquiry)
    _require_open(enquiry)
    if not 1 <= extra_days <= 365:
        raise DomainError("A holding reply moves the due date by 1 to 365 days.")
    if working_days:
        enquiry.due_on = add_working_days(enquiry.due_on, extra_days, enquiry.office.nation)
    else:
        enquiry.due_on += dt.timedelta(days=extra_days)
    enquiry.status = EnquiryStatus.HOLDING
    _schedule_from_due(enquiry, settings_for(enquiry.office))
    enquiry.save()
    _step(enquiry, StepKind.HOLDING_REPLY, actor, note=note.strip(), for_due_on=enquiry.due_on)
    audit_record(
        verb="correspondence.enquiry.holding_reply", office=enquiry.office, actor=actor, obj=enquiry, fields=["due_on"]
    )
    return enquiry


@transaction.atomic
def enquiry_change_due(*, enquiry: Enquiry, actor: User | None, due_on: dt.date, reason: str) -> Enquiry:
    enquiry = _locked(enquiry)
    _require_open(enquiry)
    _check_due(due_on, reason, timezone.localdate())
    enquiry.due_on, enquiry.due_override_reason = due_on, reason.strip()[:300]
    _schedule_from_due(enquiry, settings_for(enquiry.office))
    enquiry.save()
    _step(enquiry, StepKind.DUE_CHANGED, actor, note=reason.strip(), for_due_on=due_on)
    audit_record(
        verb="correspondence.enquiry.due_changed", office=enquiry.office, actor=actor, obj=enquiry, fields=["due_on"]
    )
    return enquiry


@transaction.atomic
def enquiry_answer(
    *, enquiry: Enquiry, actor: User | None, message: Message | None = None, answered_on: dt.date | None = None
) -> Enquiry:
    """The organisation answered: the clock stops, the case is open again, the assignee hears."""
    enquiry = _locked(enquiry)
    _require_open(enquiry)
    if message is not None and (message.case_id != enquiry.case_id or message.direction != Direction.INBOUND):
        raise DomainError("Choose a reply received on this case.")
    answered_on = answered_on or (timezone.localdate(message.received_at) if message else timezone.localdate())
    if not enquiry.sent_on <= answered_on <= timezone.localdate():
        raise DomainError("The answer's date must be between the day the enquiry was sent and today.")
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.answered_on = answered_on
    enquiry.answer_message = message
    enquiry.reply_working_days = working_days_between(enquiry.sent_on, answered_on, enquiry.office.nation)
    enquiry.answered_within_target = answered_on <= enquiry.target_on
    _close_schedule(enquiry)
    enquiry.save()
    _step(enquiry, StepKind.ANSWERED, actor, sent_message=message)
    _case_may_resume(enquiry, actor)
    _tell_assignee(enquiry, actor, f"{enquiry.organisation.name} answered on case {enquiry.case.reference}")
    audit_record(
        verb="correspondence.enquiry.answered", office=enquiry.office, actor=actor, obj=enquiry, fields=["status"]
    )
    return enquiry


@transaction.atomic
def enquiry_withdraw(*, enquiry: Enquiry, actor: User, reason: str) -> Enquiry:
    enquiry = _locked(enquiry)
    _require_open(enquiry)
    if not reason.strip():
        raise DomainError("Say why the enquiry is withdrawn.")
    enquiry.status = EnquiryStatus.WITHDRAWN
    _close_schedule(enquiry)
    enquiry.save()
    _step(enquiry, StepKind.WITHDRAWN, actor, note=reason.strip())
    _case_may_resume(enquiry, actor)
    audit_record(
        verb="correspondence.enquiry.withdrawn", office=enquiry.office, actor=actor, obj=enquiry, fields=["status"]
    )
    return enquiry


def _case_may_resume(enquiry: Enquiry, actor: User | None) -> None:
    """With nothing else awaited, the case is open again and the office's clock runs."""
    case = Case.objects.for_office(enquiry.office).select_for_update().get(pk=enquiry.case_id)
    others = Enquiry.objects.for_office(enquiry.office).filter(case=case, status__in=OPEN_STATUSES)
    if case.status == CaseStatus.AWAITING_THIRD_PARTY and not others.exists():
        casework_services.case_set_status(case=case, actor=actor, status=CaseStatus.OPEN)


def _case_link(enquiry: Enquiry) -> str:
    return reverse("casework:case_detail", kwargs={"case_id": enquiry.case_id})


def _tell_assignee(enquiry: Enquiry, actor: User | None, title: str) -> None:
    for recipient in _assignee_or_managers(enquiry.office, enquiry.case):
        if recipient != actor:
            notification_create(
                office=enquiry.office, recipient=recipient, kind="enquiry", title=title, link=_case_link(enquiry)
            )


def _managers(office: Office) -> list[User]:
    members = Membership.objects.filter(office=office, role=Role.MANAGER, is_active=True).select_related("user")
    return [member.user for member in members]


def _assignee_or_managers(office: Office, case: Case, managers: list[User] | None = None) -> list[User]:
    """Whoever is assigned when it happens (reassigning re-routes reminders); else the managers."""
    if case.assignee_id is not None:
        return [case.assignee]
    return managers if managers is not None else _managers(office)


# --- Chasers -------------------------------------------------------------------------------
def chaser_channel(organisation: Organisation) -> str:
    """By email when the organisation has an address, else by letter."""
    return SentVia.EMAIL if organisation.email else SentVia.LETTER


def chaser_draft(step: EnquiryStep) -> tuple[str, str]:
    """The chaser's subject and text as drafted (or edited) so far."""
    if step.draft_text:
        return step.draft_subject, step.draft_text
    enquiry = step.enquiry
    context = {"enquiry": enquiry, "case": enquiry.case, "organisation": enquiry.organisation, "office": enquiry.office}
    subject = " ".join(render_to_string("correspondence/chaser_subject.txt", context).split())[:300]
    template = _chaser_template(enquiry)
    if template is not None:
        fields = merge.merge_fields_for(
            office=enquiry.office, case=enquiry.case, organisation=enquiry.organisation, enquiry=enquiry
        )
        try:
            return subject, merge.merge_render(template.body, fields)
        except merge.MergeError:
            logger.warning("Chaser template %s uses withdrawn fields; the standard chaser is used.", template.pk)
    return subject, render_to_string("correspondence/chaser.txt", context)


def _chaser_template(enquiry: Enquiry) -> LetterTemplate | None:
    """The organisation's own chaser template, else the office's, else none (the standard text)."""
    templates = LetterTemplate.objects.for_office(enquiry.office).filter(is_active=True)
    own = templates.filter(chaser_for=enquiry.organisation).order_by("id").first()
    if own is not None:
        return own
    rules = settings_for(enquiry.office)
    return templates.filter(pk=rules.chaser_template_id).first() if rules.chaser_template_id else None


@transaction.atomic
def chaser_send(*, step: EnquiryStep, actor: User, subject: str, text: str) -> Message:
    """Send the checked chaser (email through the outbox; a letter is recorded for posting)
    and give the organisation a new due date."""
    enquiry = _locked(step.enquiry)
    _require_open(enquiry)
    locked_step = EnquiryStep.objects.for_office(enquiry.office).select_for_update().get(pk=step.pk)
    if locked_step.kind != StepKind.CHASER_DRAFTED or locked_step.sent_message_id is not None:
        raise DomainError("This chaser has been sent already.")
    if not text.strip() or not subject.strip():
        raise DomainError("A chaser needs a subject and some text.")
    message = _chaser_message(enquiry, locked_step.draft_channel, subject.strip(), text.strip(), actor, step.pk)
    locked_step.sent_message = message
    locked_step.save(update_fields=["sent_message"])
    today = timezone.localdate()
    enquiry.status = EnquiryStatus.CHASED
    enquiry.chasers_sent += 1
    enquiry.due_on = target_date(office=enquiry.office, organisation=enquiry.organisation, sent_on=today)
    _schedule_from_due(enquiry, settings_for(enquiry.office))
    enquiry.save()
    _step(enquiry, StepKind.CHASER_SENT, actor, sent_message=message, for_due_on=enquiry.due_on)
    audit_record(
        verb="correspondence.enquiry.chased", office=enquiry.office, actor=actor, obj=enquiry, fields=["due_on"]
    )
    return message


def _chaser_message(enquiry: Enquiry, channel: str, subject: str, text: str, actor: User, step_id: int) -> Message:
    organisation = enquiry.organisation
    by_email = channel == SentVia.EMAIL and bool(organisation.email)
    identity = outbox.identity_for(enquiry.office)
    message = Message.objects.create(
        office=enquiry.office,
        direction=Direction.OUTBOUND,
        channel=Channel.EMAIL if by_email else Channel.LETTER,
        message_id=outbox.new_message_id(identity.from_email) if by_email else "",
        sender_name=identity.from_name,
        sender_email=identity.from_email if by_email else "",
        recipients=[{"name": organisation.name, "email": organisation.email if by_email else "", "kind": "to"}],
        subject=subject,
        text=text,
        case=enquiry.case,
        constituent=enquiry.case.constituent,
        triage_state=TriageState.FILED,
        logged_by=actor,
        sent_at=None if by_email else timezone.now(),
    )
    search_index.refresh_message(message.pk)
    if by_email:
        outbox.outbox_enqueue(
            office=enquiry.office,
            draft=outbox.Draft(
                idempotency_key=f"chaser:{step_id}",
                to_email=organisation.email,
                to_name=organisation.name,
                subject=subject,
                text=text,
                constituent=enquiry.case.constituent,
                message=message,
            ),
            priority=Priority.AUTOMATIC,
            actor=actor,
            message_id=message.message_id,
        )
    return message


# --- The sweep -----------------------------------------------------------------------------
def enquiries_sweep(*, today: dt.date | None = None) -> int:
    """Take every step that is due, in batches; returns how many enquiries moved on."""
    today = today or timezone.localdate()
    done = 0
    # Each step moves its enquiry on (to a later day, or to the next step), so this ends.
    while moved := _sweep_batch(today):
        done += moved
    return done


def _due(today: dt.date) -> QuerySet[Enquiry]:
    return Enquiry.unscoped.exclude(next_action=NextAction.NONE).filter(next_action_on__lte=today)


@transaction.atomic
def _sweep_batch(today: dt.date) -> int:
    enquiries = list(
        _due(today)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("office", "organisation", "case__assignee", "case__constituent")
        .order_by("next_action_on", "id")[: settings.ENQUIRY_SWEEP_BATCH]
    )
    if not enquiries:
        return 0
    sweep = _Sweep(today)
    for enquiry in enquiries:
        sweep.take_step(enquiry)
    sweep.save()
    return len(enquiries)


class _Sweep:
    """One batch's writes, collected so they go to the database in a few statements."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.steps: list[EnquiryStep] = []
        self.notifications: list[Notification] = []
        self.changed: list[Enquiry] = []
        self._managers: dict[int, list[User]] = {}
        self._rules: dict[int, EnquirySettings] = {}

    def managers(self, office: Office) -> list[User]:
        if office.pk not in self._managers:
            self._managers[office.pk] = _managers(office)
        return self._managers[office.pk]

    def rules(self, office: Office) -> EnquirySettings:
        if office.pk not in self._rules:
            self._rules[office.pk] = settings_for(office)
        return self._rules[office.pk]

    def notify(self, enquiry: Enquiry, recipients: Iterable[User], title: str) -> None:
        for recipient in recipients:
            self.notifications.append(
                Notification(
                    office=enquiry.office, recipient=recipient, kind="enquiry", title=title, link=_case_link(enquiry)
                )
            )

    def take_step(self, enquiry: Enquiry) -> None:
        {NextAction.REMIND: self.remind, NextAction.CHASE: self.chase, NextAction.ESCALATE: self.escalate}[
            enquiry.next_action
        ](enquiry)
        self.changed.append(enquiry)

    def remind(self, enquiry: Enquiry) -> None:
        self.steps.append(self._step(enquiry, StepKind.REMINDED))
        due = f"{enquiry.due_on.day} {enquiry.due_on:%B}"
        recipients = _assignee_or_managers(enquiry.office, enquiry.case, self.managers(enquiry.office))
        self.notify(
            enquiry, recipients, f"Reply from {enquiry.organisation.name} due {due} (case {enquiry.case.reference})"
        )
        enquiry.next_action, enquiry.next_action_on = NextAction.CHASE, enquiry.due_on

    def chase(self, enquiry: Enquiry) -> None:
        # The text is written when the caseworker opens it (chaser_draft), from the enquiry as it is then.
        channel = chaser_channel(enquiry.organisation)
        self.steps.append(self._step(enquiry, StepKind.CHASER_DRAFTED, draft_channel=channel))
        recipients = _assignee_or_managers(enquiry.office, enquiry.case, self.managers(enquiry.office))
        title = f"Chaser to {enquiry.organisation.name} ready to check (case {enquiry.case.reference})"
        self.notify(enquiry, recipients, title)
        rules = self.rules(enquiry.office)
        enquiry.next_action = NextAction.ESCALATE
        enquiry.next_action_on = add_working_days(enquiry.due_on, rules.escalate_days_after, enquiry.office.nation)

    def escalate(self, enquiry: Enquiry) -> None:
        rules = self.rules(enquiry.office)
        enquiry.escalation_level += 1
        enquiry.status = EnquiryStatus.ESCALATED
        ladder = list(rules.ladder or [])
        suggestion = ladder[enquiry.escalation_level - 1] if enquiry.escalation_level <= len(ladder) else ""
        self.steps.append(self._step(enquiry, StepKind.ESCALATED, note=suggestion))
        title = f"Overdue: {enquiry.organisation.name} on case {enquiry.case.reference}"
        self.notify(enquiry, self.managers(enquiry.office), f"{title}. Next: {suggestion}" if suggestion else title)
        if enquiry.escalation_level < len(ladder):
            enquiry.next_action_on = add_working_days(self.today, rules.ladder_interval_days, enquiry.office.nation)
        else:
            _close_schedule(enquiry)

    def _step(self, enquiry: Enquiry, kind: str, **values: object) -> EnquiryStep:
        return EnquiryStep(
            office=enquiry.office,
            enquiry=enquiry,
            kind=kind,
            for_due_on=enquiry.due_on,
            level=enquiry.escalation_level,
            **values,
        )

    def save(self) -> None:
        # The unique key of automatic steps is the last line of defence: a duplicate fails the batch.
        EnquiryStep.unscoped.bulk_create(self.steps)
        notifications_create_many(self.notifications)
        # One UPDATE per distinct outcome: far cheaper than bulk_update's CASE per row and column.
        outcomes: dict[tuple, list[int]] = {}
        for enquiry in self.changed:
            key = (enquiry.next_action, enquiry.next_action_on, enquiry.status, enquiry.escalation_level)
            outcomes.setdefault(key, []).append(enquiry.pk)
        now = timezone.now()
        for (action, action_on, status, level), ids in outcomes.items():
            Enquiry.unscoped.filter(pk__in=ids).update(
                next_action=action, next_action_on=action_on, status=status, escalation_level=level, updated_at=now
            )
