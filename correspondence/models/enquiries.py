"""Third-party enquiries: letters and emails to councils, departments and agencies, with a clock.

Each open enquiry carries its next step and the day it is due (``next_action`` and
``next_action_on``), so the beat sweep finds due work with one indexed query and advances each
enquiry with a conditional UPDATE; every step taken is also a row with a unique key, so a step
happens once however many sweeps run at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.models import Case
from constituents.models import Organisation
from correspondence.models.messages import Message
from security.models import TimeStamped
from security.scoping import OfficeOwned


class SentVia(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    PORTAL = "portal", "Online portal"
    PHONE = "phone", "Phone"


class EnquiryStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting a reply"
    HOLDING = "holding", "Holding reply received"
    CHASED = "chased", "Chased"
    ESCALATED = "escalated", "Escalated"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = (EnquiryStatus.AWAITING, EnquiryStatus.HOLDING, EnquiryStatus.CHASED, EnquiryStatus.ESCALATED)


class NextAction(models.TextChoices):
    REMIND = "remind", "Remind the caseworker"
    CHASE = "chase", "Draft a chaser"
    ESCALATE = "escalate", "Escalate to the office manager"
    NONE = "none", "Nothing"


class Enquiry(OfficeOwned, TimeStamped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enquiries")
    question = models.TextField(help_text="What was asked")
    sent_via = models.CharField(max_length=10, choices=SentVia.choices)
    sent_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="enquiries_sent"
    )
    sent_on = models.DateField()
    # The organisation's own target, kept as it was: "answered within target" is measured by it.
    target_on = models.DateField()
    due_on = models.DateField()
    due_override_reason = models.CharField(max_length=300, blank=True)
    # What the organisation needs before acting, as given: {"National Insurance number": "QQ123456C"}.
    identifiers = models.JSONField(default=dict, blank=True)
    written_consent_held = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=EnquiryStatus.choices, default=EnquiryStatus.AWAITING)
    next_action = models.CharField(max_length=10, choices=NextAction.choices, default=NextAction.REMIND)
    next_action_on = models.DateField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    chasers_sent = models.PositiveSmallIntegerField(default=0)
    answered_on = models.DateField(null=True, blank=True)
    answer_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="enquiries_answered"
    )
    # Fixed when answered, so agency responsiveness is a plain aggregate.
    reply_working_days = models.PositiveIntegerField(null=True, blank=True)
    answered_within_target = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name_plural = "enquiries"
        indexes = [
            # The sweep: WHERE next_action <> 'none' AND next_action_on <= today ORDER BY next_action_on.
            models.Index(
                fields=["next_action_on", "id"],
                condition=~models.Q(next_action="none"),
                name="correspondence_enq_next",
            ),
            # The chases page: WHERE office_id = %s AND status IN (open) ORDER BY due_on.
            models.Index(fields=["office", "status", "due_on"], name="correspondence_enq_due"),
            # Responsiveness: WHERE office_id = %s AND answered_on BETWEEN … GROUP BY organisation.
            models.Index(fields=["office", "answered_on"], name="correspondence_enq_answered"),
        ]

    def __str__(self) -> str:
        return f"Enquiry to {self.organisation} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class StepKind(models.TextChoices):
    REMINDED = "reminded", "Reminder sent"
    CHASER_DRAFTED = "chaser_drafted", "Chaser drafted"
    CHASER_SENT = "chaser_sent", "Chaser sent"
    ESCALATED = "escalated", "Escalated"
    HOLDING_REPLY = "holding_reply", "Holding reply"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DUE_CHANGED = "due_changed", "Due date changed"


class EnquiryStep(OfficeOwned):
    """One thing that happened to an enquiry. Automatic steps are unique per due date and level,
    which is the claim that makes each happen once."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    # The due date the step belonged to and the escalation level: the key of an automatic step.
    for_due_on = models.DateField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True)
    # A drafted chaser: what the caseworker checks and sends.
    draft_channel = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    draft_subject = models.CharField(max_length=300, blank=True)
    draft_text = models.TextField(blank=True)
    sent_message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enquiry", "kind", "for_due_on", "level"],
                condition=models.Q(kind__in=["reminded", "chaser_drafted", "escalated"]),
                name="correspondence_enquiry_step_once",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class EnquirySettings(OfficeOwned):
    """How the office chases: reminder and escalation timings, and its escalation ladder."""

    remind_days_before = models.PositiveSmallIntegerField(default=2, help_text="Working days before the due date")
    escalate_days_after = models.PositiveSmallIntegerField(default=5, help_text="Working days after the due date")
    # The rungs after the first escalation, each this many working days after the last.
    ladder = models.JSONField(
        default=list,
        blank=True,
        help_text="One step per line, e.g. a second chaser; a letter to the chief executive; the ombudsman",
    )
    ladder_interval_days = models.PositiveSmallIntegerField(default=10)
    chaser_template = models.ForeignKey(
        "correspondence.LetterTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Chasers are drafted from this template unless the organisation has its own",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="correspondence_enquiry_settings_one")]

    def __str__(self) -> str:
        return f"Enquiry settings of office {self.office_id}"


DEFAULT_LADDER = [
    "Send a second chaser",
    "Write to the chief executive, or to the minister for a government department",
    "Refer the complaint to the ombudsman",
]


class DigestOptOut(OfficeOwned):
    """A member of staff who does not want the daily email of what is due and overdue."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "user"], name="correspondence_digest_optout_once")]


class DigestSent(OfficeOwned):
    """The daily digest to one person for one day: the unique row is its claim."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "user", "day"], name="correspondence_digest_once")]
