from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from casework.models import Case, CaseStatus
from constituents.models import Organisation
from correspondence import oauth
from correspondence.models import (
    AuthMethod,
    Channel,
    ContactTopic,
    Direction,
    EnquirySettings,
    LetterTemplate,
    Mailbox,
    Message,
    PublishedPosition,
    SendingIdentity,
    SentVia,
    TopicKind,
    Transport,
    TriageState,
)
from correspondence.services import LOGGED_CHANNELS, MAX_SCAN_BYTES, MAX_SUBJECT
from security.models import Office

REFERENCE_MAX = 30
# Longer messages are refused with a clear error, never cut short.
CONTACT_MAX_CHARS = 20_000


def _case_by_reference(cases: Any, reference: str) -> Case:
    found = cases.filter(reference__iexact=reference.strip()).first()
    if found is None:
        raise forms.ValidationError(f"No case {reference} that you can see.")
    if found.status == CaseStatus.CLOSED:
        raise forms.ValidationError(f"Case {found.reference} is closed: reopen it first, or open a new case.")
    return found


class FileForm(forms.Form):
    """File to one of the suggested open cases, or to any case by its reference."""

    case = forms.ModelChoiceField(queryset=Case.unscoped.none(), required=False, widget=forms.RadioSelect)
    reference = forms.CharField(
        required=False, max_length=REFERENCE_MAX, label="Or a case reference", help_text="For example 2026/0142."
    )

    def __init__(self, *args: Any, cases: Any, suggested: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = cases
        self.fields["case"].queryset = suggested
        self.fields["case"].label = "The constituent's open cases"
        self.fields["case"].empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reference"):
            try:
                data["case"] = _case_by_reference(self.cases, data["reference"])
            except forms.ValidationError as error:
                self.add_error("reference", error)
        elif not data.get("case") and not self.errors:
            raise forms.ValidationError("Choose a case, or give a case reference.")
        return data


class TriageForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (TriageState.NO_ACTION, "No action needed"),
            (TriageState.SPAM, "Spam"),
            (TriageState.NEW, "Back to new"),
        ]
    )


class LinkConstituentForm(forms.Form):
    constituent = forms.IntegerField(widget=forms.HiddenInput)


class MessageFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[("", "New"), *[(v, label) for v, label in TriageState.choices if v != "new"], ("all", "All")],
    )
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    direction = forms.ChoiceField(required=False, choices=[("", "Received and sent"), *Direction.choices])


class IdsField(forms.TypedMultipleChoiceField):
    """Row ids ticked in a list; which of them the member may touch is the view's query."""

    MAX = 500

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, choices=(), **kwargs)

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and len(str(value)) < 19

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > self.MAX:
            raise forms.ValidationError(f"Choose at most {self.MAX} at a time.")


class BulkMessageForm(forms.Form):
    """Used with prefix "bulk" so its names never collide with the filters."""

    action = forms.ChoiceField(choices=[("no_action", "No action needed"), ("spam", "Spam"), ("file", "File")])
    messages = IdsField(error_messages={"required": "Tick at least one message."})
    reference = forms.CharField(required=False, max_length=REFERENCE_MAX)

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = cases

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "file":
            if not data.get("reference"):
                self.add_error("reference", "Give the reference of the case to file them to.")
            else:
                try:
                    data["case"] = _case_by_reference(self.cases, data["reference"])
                except forms.ValidationError as error:
                    self.add_error("reference", error)
        return data


class LogForm(forms.Form):
    channel = forms.ChoiceField(choices=[(c.value, c.label) for c in LOGGED_CHANNELS], label="How")
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.INBOUND, label="Received or sent")
    occurred_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    subject = forms.CharField(max_length=MAX_SUBJECT, label="Subject or one-line summary")
    text = forms.CharField(required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000)
    scan = forms.FileField(required=False, label="Scan of the letter", help_text="PDF or picture, up to 20 MB.")
    reference = forms.CharField(
        required=False, max_length=REFERENCE_MAX, label="Case reference", help_text="Leave empty to triage it later."
    )
    constituent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, office: Office, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        self.cases = cases
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean_occurred_at(self) -> dt.datetime:
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("That is in the future.")
        if value.year < 1990:
            raise forms.ValidationError("That is too long ago.")
        return value

    def clean_scan(self) -> Any:
        scan = self.cleaned_data.get("scan")
        if scan is not None and scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError("The scan is too large; the limit is 20 MB.")
        return scan

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reference"):
            try:
                data["case"] = _case_by_reference(self.cases, data["reference"])
            except forms.ValidationError as error:
                self.add_error("reference", error)
        if data.get("scan") is not None and data.get("channel") not in (None, Channel.LETTER):
            self.add_error("scan", "Only a letter has a scan.")
        return data


def _write_only(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=20_000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class MailboxForm(forms.ModelForm):
    """The secrets are write-only: never shown back; blank on an edit keeps the stored one."""

    KEEP = "Stored encrypted. Leave blank to keep the one already stored."
    NEW = "Stored encrypted; never shown again."
    SECRET_FIELDS = ("secret", "oauth_refresh_token", "oauth_client_secret")
    OAUTH_FIELDS = (
        "oauth_tenant",
        "oauth_client_id",
        "oauth_client_secret",
        "oauth_refresh_token",
        "oauth_token_url",
        "oauth_scope",
    )

    secret = _write_only("Password or OAuth2 access token", KEEP)
    oauth_token_url = forms.URLField(
        label="Token endpoint",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Leave blank for Microsoft 365's endpoint for the tenant.",
    )
    oauth_client_secret = _write_only("Client secret", KEEP)
    oauth_refresh_token = _write_only("Refresh token", KEEP)

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "use_tls",
            "username",
            "auth_method",
            "secret",
            "inbox_folder",
            "sent_folder",
            "processed_folder",
            "is_active",
            "oauth_tenant",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_refresh_token",
            "oauth_token_url",
            "oauth_scope",
        ]
        labels = {
            "oauth_tenant": "Directory (tenant) ID",
            "oauth_client_id": "Application (client) ID",
            "oauth_scope": "Scope",
        }
        help_texts = {
            "oauth_tenant": "From the app's registration in Microsoft Entra: a GUID or a domain.",
            "oauth_client_id": "From the same registration's overview.",
            "oauth_scope": "What the refreshed token is for; Microsoft 365 needs the default.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance
        for name, column in (
            ("secret", "secret_encrypted"),
            ("oauth_client_secret", "oauth_client_secret_encrypted"),
            ("oauth_refresh_token", "oauth_refresh_token_encrypted"),
        ):
            if not getattr(stored, column):
                self.fields[name].help_text = self.NEW
        self.fields["secret"].help_text += " With a refresh token below, the access token may be left blank."
        self.fields["oauth_refresh_token"].help_text += " The access token is renewed with it before it expires."
        self.fields["port"].widget.attrs.setdefault("min", 1)

    @property
    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.OAUTH_FIELDS]

    @property
    def oauth_fields(self) -> list[Any]:
        return [self[name] for name in self.OAUTH_FIELDS]

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError("A port is between 1 and 65535.")
        return port

    def clean_oauth_tenant(self) -> str:
        tenant = self.cleaned_data["oauth_tenant"].strip()
        if tenant and not oauth.TENANT.match(tenant):
            raise forms.ValidationError("A tenant ID is a GUID or a domain such as example.onmicrosoft.com.")
        return tenant

    def clean_oauth_token_url(self) -> str:
        url = self.cleaned_data["oauth_token_url"].strip()
        if url and not oauth.token_url_allowed(url):
            raise forms.ValidationError("The token endpoint must use https.")
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        inbox, processed = data.get("inbox_folder"), data.get("processed_folder")
        if inbox and processed and inbox == processed:
            self.add_error("processed_folder", "The processed folder must differ from the inbox.")
        stored = self.instance
        has_secret = bool(data.get("secret") or stored.secret_encrypted)
        has_refresh = bool(data.get("oauth_refresh_token") or stored.oauth_refresh_token_encrypted)
        if data.get("auth_method") == AuthMethod.XOAUTH2 and has_refresh:
            if not data.get("oauth_client_id"):
                self.add_error("oauth_client_id", "Renewing the access token needs the application (client) ID.")
            if not data.get("oauth_tenant") and not data.get("oauth_token_url"):
                self.add_error("oauth_tenant", "Give the tenant ID, or a token endpoint.")
        elif data.get("auth_method") == AuthMethod.XOAUTH2 and not has_secret:
            self.add_error("secret", "Give an access token, or a refresh token to get one.")
        elif data.get("auth_method") and not has_secret:
            self.add_error("secret", "Give the mailbox's password.")
        return data


class ReplyForm(forms.Form):
    """An email reply from a case. ``token`` makes a double-submitted form send once."""

    to_email = forms.EmailField(label="To", max_length=254)
    to_name = forms.CharField(label="Their name", max_length=300, required=False)
    subject = forms.CharField(max_length=MAX_SUBJECT)
    text = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 14, "class": "letter-text"}), max_length=100_000
    )
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    token = forms.UUIDField(widget=forms.HiddenInput)


class SendingIdentityForm(forms.ModelForm):
    """The office's From and mail server. The password is write-only; blank keeps the stored one."""

    password = forms.CharField(
        label="SMTP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted; never shown again. Leave blank to keep the one already stored.",
    )
    clear_password = forms.BooleanField(label="Remove the stored password", required=False)

    class Meta:
        model = SendingIdentity
        fields = [
            "from_name",
            "from_email",
            "reply_to",
            "transport",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "password",
            "clear_password",
            "rate_per_minute",
            "daily_cap",
        ]
        help_texts = {
            "rate_per_minute": "Microsoft 365 allows about 30 a minute per mailbox. 0: no limit.",
            "daily_cap": "Microsoft 365 allows 10,000 recipients a day per mailbox. 0: no limit.",
        }

    def clean_smtp_port(self) -> int:
        port = self.cleaned_data["smtp_port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError("A port is between 1 and 65535.")
        return port

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("transport") == Transport.SMTP and not data.get("smtp_host"):
            self.add_error("smtp_host", "Give the mail server's host name.")
        return data

    def identity_values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("password", "clear_password")}

    def password_change(self) -> str | None:
        """None keeps the stored password, "" removes it."""
        if self.cleaned_data.get("clear_password"):
            return ""
        return self.cleaned_data.get("password") or None


class ContactForm(forms.Form):
    """The public form. ``website`` is a honeypot: people never see it, bots fill it in."""

    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(label="Your email address", max_length=254)
    postcode = forms.CharField(
        label="Your postcode", max_length=10, help_text="The MP can act only for people who live in the constituency."
    )
    text = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=CONTACT_MAX_CHARS,
        error_messages={"required": "Write your message."},
    )
    consent_to_share = forms.BooleanField(
        label="The office may share what I have written with the organisations it contacts on my behalf",
        required=False,
    )
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        for name, autocomplete in (("name", "name"), ("email", "email"), ("postcode", "postal-code")):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_postcode(self) -> str:
        from constituents.validation import normalise_postcode
        from correspondence.contact import constituency_check

        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if constituency_check(office=self.office, postcode=postcode) == "no":
            raise forms.ValidationError(
                f"{postcode} is not in {self.office.constituency}. Your own MP can help you: "
                "find them at members.parliament.uk."
            )
        return postcode

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class _OfficeModelForm(forms.ModelForm):
    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office


class ContactTopicForm(_OfficeModelForm):
    class Meta:
        model = ContactTopic
        fields = ["title", "kind", "organisation", "guidance", "position", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.for_office(self.office).filter(is_active=True)
        self.fields["organisation"].help_text = "For a topic another body deals with first: where to send people."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == TopicKind.SIGNPOST and not data.get("organisation"):
            self.add_error("organisation", "Choose where to send people for this topic.")
        return data


class PublishedPositionForm(_OfficeModelForm):
    class Meta:
        model = PublishedPosition
        fields = ["title", "body", "is_published"]


# --- Third-party enquiries ---------------------------------------------------------------------
class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EnquiryForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.unscoped.none(), label="To")
    question = forms.CharField(label="What was asked", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    sent_via = forms.ChoiceField(choices=SentVia.choices, label="Sent by")
    sent_on = forms.DateField(widget=DateInput, label="Sent on")
    due_override = forms.DateField(
        widget=DateInput, required=False, label="Different due date", help_text="Leave empty to use their target."
    )
    override_reason = forms.CharField(required=False, max_length=300, label="Why a different due date")
    identifiers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Identifiers given",
        help_text="One per line as name: value, e.g. National Insurance number: QQ123456C.",
    )
    written_consent_held = forms.BooleanField(required=False, label="We hold the constituent's written consent")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.for_office(office).filter(is_active=True)

    def clean_identifiers(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in self.cleaned_data["identifiers"].splitlines():
            if not line.strip():
                continue
            name, separator, value = line.partition(":")
            if not separator or not name.strip() or not value.strip():
                raise forms.ValidationError(f"“{line.strip()[:60]}” should look like name: value.")
            found[name.strip()[:100]] = value.strip()[:200]
        return found


class HoldingReplyForm(forms.Form):
    extra_days = forms.IntegerField(min_value=1, max_value=365, label="They need this many more days")
    working_days = forms.TypedChoiceField(
        choices=[("1", "Working days"), ("0", "Calendar days")], coerce=lambda value: value == "1", initial="1"
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    message = forms.ModelChoiceField(
        queryset=Message.unscoped.none(),
        required=False,
        label="Their reply",
        empty_label="Not on the case (e.g. by phone)",
    )

    def __init__(self, *args: Any, replies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].queryset = replies


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why withdraw it")


class DueDateForm(forms.Form):
    due_on = forms.DateField(widget=DateInput, label="New due date")
    reason = forms.CharField(max_length=300)


class ChaserForm(forms.Form):
    subject = forms.CharField(max_length=300)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}), max_length=20_000)


class EnquirySettingsForm(forms.ModelForm):
    ladder_text = forms.CharField(
        label="Escalation ladder",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One step per line: what the manager is prompted to do at each escalation.",
    )

    class Meta:
        model = EnquirySettings
        fields = ["remind_days_before", "escalate_days_after", "ladder_interval_days", "chaser_template"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chaser_template"].queryset = LetterTemplate.objects.for_office(self.instance.office).filter(
            is_active=True
        )
        if not self.is_bound:
            self.initial["ladder_text"] = "\n".join(self.instance.ladder or [])

    def clean_ladder_text(self) -> list[str]:
        steps = [line.strip()[:200] for line in self.cleaned_data["ladder_text"].splitlines() if line.strip()]
        if len(steps) > 10:
            raise forms.ValidationError("Ten steps at most.")
        return steps
