"""Campaign mail: detection state, campaigns and their members, approved responses and their sends.

Detection keeps one ``MessageSignature`` per inbound email (a MinHash of its normalised body)
and, for messages that may still matter, its LSH band keys in ``SignatureBand``, so finding
near-duplicates is an indexed lookup and survives restarts. A ``Campaign`` groups the
``CampaignMember`` messages; a ``ResponseVersion`` is one text of a reply (every edit is a new
version; only an approved version is ever sent); a ``CampaignSend`` is one bulk send through
an outbox batch, and a ``CampaignReply`` records which version went to which member.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from constituents.models import InConstituency, Ward
from correspondence.models import Message, OutboxBatch, OutgoingEmail
from security.models import TimeStamped
from security.scoping import OfficeOwned


class NonConstituentReply(models.TextChoices):
    NOTHING = "nothing", "Nothing"
    SHORT = "short", "The office's short standard reply"


DEFAULT_PLATFORMS = """\
38 Degrees | 38degrees.org.uk | sent by a 38 Degrees member
Change.org | change.org | via Change.org
SumOfUs / Ekō | sumofus.org, eko.org | SumOfUs member; Ekō member
Greenpeace | greenpeace.org.uk, greenpeace.org | took action with Greenpeace
WWF | wwf.org.uk | WWF action page; sent via WWF
Friends of the Earth | foe.co.uk, friendsoftheearth.uk | Friends of the Earth action page
Amnesty International UK | amnesty.org.uk | sent via Amnesty
Avaaz | avaaz.org | sent via Avaaz
Write to your MP tool | writetothem.com | sent using WriteToThem
Engaging Networks | e-activist.com, engagingnetworks.app | sent via Engaging Networks
Action Network | actionnetwork.org | sent via Action Network"""


class CampaignSettings(OfficeOwned, TimeStamped):
    """An office's detection settings. The row is also the office's detection lock: detection and
    every change of membership take it ``FOR UPDATE``, so two workers never both decide that the
    same five messages make a new campaign."""

    threshold = models.PositiveSmallIntegerField(
        "Senders that make a campaign",
        default=5,
        help_text="Near-identical messages from this many different senders become a campaign.",
    )
    window_days = models.PositiveSmallIntegerField(
        "Within days", default=14, help_text="…arriving within this many days of each other."
    )
    platform_threshold = models.PositiveSmallIntegerField(
        "Senders via a known campaign platform",
        default=2,
        help_text="Fewer are enough when the mail comes through a known campaign platform.",
    )
    platforms = models.TextField(
        "Known campaign platforms",
        default=DEFAULT_PLATFORMS,
        blank=True,
        help_text="One a line: name | sender domains, comma-separated | footer phrases, semicolon-separated.",
    )
    non_constituents = models.CharField(
        "Senders outside the constituency receive",
        max_length=10,
        choices=NonConstituentReply.choices,
        default=NonConstituentReply.SHORT,
    )
    unknown_as_constituents = models.BooleanField(
        "Treat senders whose constituency is unknown as constituents", default=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="campaigns_settings_one_per_office")]

    def __str__(self) -> str:
        return f"campaign settings of office {self.office_id}"


class CampaignState(models.TextChoices):
    DETECTED = "detected", "Detected"
    CONFIRMED = "confirmed", "Confirmed"
    MERGED = "merged", "Merged into another"
    DISSOLVED = "dissolved", "Not a campaign"


ACTIVE_STATES = (CampaignState.DETECTED, CampaignState.CONFIRMED)


class ResponseMode(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", "Automatic acknowledgement on arrival"
    FORM = "form", "Form response"
    PERSONALISED = "personalised", "Personalised: the form response with edits per message"


class Campaign(OfficeOwned, TimeStamped):
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=CampaignState.choices, default=CampaignState.DETECTED)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    platform = models.CharField(max_length=100, blank=True, help_text="The campaign platform it came through")
    mode = models.CharField(max_length=12, choices=ResponseMode.choices, default=ResponseMode.FORM)
    reply_to_later = models.BooleanField("Send the approved response to later arrivals automatically", default=False)
    # The shingle hashes most members share (sorted uint32): the text they were given to send.
    template = models.BinaryField(default=b"", editable=False)
    first_message_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            # The list and the triage section: WHERE office_id = %s AND state IN (…) ORDER BY last_message_at DESC.
            models.Index(fields=["office", "state", "-last_message_at"], name="campaigns_campaign_list"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class MessageSignature(OfficeOwned):
    """Detection state of one inbound email: what it looked like and who sent it.

    A message with a signature has been through detection (the sweep looks for those without).
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="campaign_signature")
    # 128 MinHash values (uint32, little-endian); empty when the text was too short to compare.
    minhash = models.BinaryField(default=b"")
    shingles = models.PositiveIntegerField(default=0)
    # The address that makes "a different sender": the Reply-To of platform mail, else the From.
    sender_key = models.CharField(max_length=254, blank=True)
    received_at = models.DateTimeField()
    platform = models.CharField(max_length=100, blank=True)
    # Taken out of a campaign by a person: never grouped again automatically.
    excluded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Retention of detection state: WHERE received_at < %s.
            models.Index(fields=["received_at"], name="campaigns_signature_received"),
        ]

    def __str__(self) -> str:
        return f"signature of message {self.message_id}"


class SignatureBand(OfficeOwned):
    """One LSH band key of a signature. Kept for messages not in a campaign (within the window) and
    for up to ``EXEMPLARS`` members of each campaign, so a bucket never holds a whole campaign.

    A derived index, written 32 rows a message: its foreign keys have no database constraint (their
    checks at commit cost more than detection's lookup); Django's cascade deletes the rows with
    their signature or office, and a lost row only makes a message a little harder to match.
    """

    # No index of its own for the office: the lookup's index leads with it.
    office = models.ForeignKey(
        "security.Office", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    signature = models.ForeignKey(MessageSignature, on_delete=models.CASCADE, related_name="bands", db_constraint=False)
    key = models.BigIntegerField()
    # When a message outside any campaign came: it can only help found one within the window, so
    # the lookup skips older rows and the prune deletes them. Null for a campaign's exemplars,
    # which are looked up whatever their age.
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The lookup: WHERE office_id = %s AND key = ANY(…keys…) AND (received_at IS NULL OR …).
            models.Index(fields=["office", "key"], name="campaigns_band_lookup"),
        ]

    def __str__(self) -> str:
        return f"band {self.key} of signature {self.signature_id}"


class JoinedBy(models.TextChoices):
    DETECTED = "detected", "Detected"
    PERSON = "person", "Added by a person"


class CampaignMember(OfficeOwned):
    """One inbound message in a campaign, with who sent it and whether they live here."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="campaign_member")
    # Where a reply goes: the constituent's own address behind a platform's noreply sender.
    reply_email = models.EmailField(max_length=254, blank=True)
    reply_name = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="Found in the message, normalised")
    in_constituency = models.CharField(max_length=10, choices=InConstituency.choices, default=InConstituency.UNKNOWN)
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The sender added substantial text of their own: worth a caseworker's reading.
    personalised = models.BooleanField(default=False)
    own_share = models.FloatField(default=0.0, help_text="Share of the message not in the campaign's text")
    joined_by = models.CharField(max_length=10, choices=JoinedBy.choices, default=JoinedBy.DETECTED)
    joined_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Members page: WHERE campaign_id = %s ORDER BY received_at DESC.
            models.Index(fields=["campaign", "-received_at"], name="campaigns_member_list"),
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} in campaign {self.campaign_id}"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Sent back"


class ResponseVersion(OfficeOwned):
    """One text of a response. Every edit is a new version; versions are never changed after
    submission, and only an approved version is sent (its digest is checked at sending).

    Three chains share the table: a campaign's response (``campaign`` set, no ``member``), a
    personal edit for one message (``member`` set) and the office's short reply to
    non-constituents (neither).
    """

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="versions")
    member = models.ForeignKey(CampaignMember, null=True, blank=True, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True, help_text="The approver's reasons for sending it back")
    # SHA-256 of subject and body when approved: sending refuses a version whose text differs.
    approved_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"],
                condition=Q(member__isnull=True, campaign__isnull=False),
                name="campaigns_version_campaign_number",
            ),
            models.UniqueConstraint(
                fields=["member", "number"], condition=Q(member__isnull=False), name="campaigns_version_member_number"
            ),
            models.UniqueConstraint(
                fields=["office", "number"],
                condition=Q(member__isnull=True, campaign__isnull=True),
                name="campaigns_version_office_number",
            ),
        ]
        indexes = [
            # The approvals queue: WHERE office_id = %s AND state = 'submitted'.
            models.Index(fields=["office", "state"], name="campaigns_version_state"),
        ]

    def __str__(self) -> str:
        return f"version {self.number}: {self.subject}"


class SendKind(models.TextChoices):
    BULK = "bulk", "Sent by a person"
    ARRIVALS = "arrivals", "Automatic, to each arrival"


class CampaignSend(OfficeOwned):
    """One bulk send (or the standing send to later arrivals), through one outbox batch."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sends")
    version = models.ForeignKey(ResponseVersion, on_delete=models.RESTRICT, related_name="sends")
    batch = models.OneToOneField(OutboxBatch, on_delete=models.PROTECT, related_name="campaign_send")
    kind = models.CharField(max_length=10, choices=SendKind.choices, default=SendKind.BULK)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.PositiveIntegerField(default=0)
    # Members left out, by reason: {"non_constituent": 12, "no_address": 1, "awaiting_approval": 2}.
    skipped = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One standing send to later arrivals per campaign and version.
            models.UniqueConstraint(
                fields=["campaign", "version"], condition=Q(kind="arrivals"), name="campaigns_send_one_arrivals"
            ),
        ]

    def __str__(self) -> str:
        return f"send of campaign {self.campaign_id}, version {self.version_id}"


class CampaignReply(OfficeOwned):
    """Which version went to which member, through which outbox row."""

    member = models.ForeignKey(CampaignMember, on_delete=models.CASCADE, related_name="replies")
    version = models.ForeignKey(ResponseVersion, on_delete=models.RESTRICT, related_name="replies")
    send = models.ForeignKey(CampaignSend, on_delete=models.CASCADE, related_name="replies")
    # Erasing the outbox row (a subject's erasure) takes this record with it.
    outgoing = models.OneToOneField(OutgoingEmail, on_delete=models.CASCADE, related_name="campaign_reply")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "version"], name="campaigns_reply_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"reply to member {self.member_id} with version {self.version_id}"
