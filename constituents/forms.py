"""Forms for constituents, the people acting for them, duplicates and the directory.

Forms validate and normalise input with errors that say what is wrong; the services write.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from constituents.models import Constituent, Organisation, OrganisationKind, Representative
from constituents.selectors import possible_duplicates
from constituents.services import CONSTITUENT_FIELDS, ORGANISATION_FIELDS, REPRESENTATIVE_FIELDS
from constituents.validation import normalise_email, normalise_phone, normalise_postcode
from security.models import Office

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _optional(normalise: Any, value: str) -> str:
    return normalise(value) if (value or "").strip() else ""


def _email_field(label: str, **attrs: str) -> forms.CharField:
    """A text field checked by normalise_email, whose errors say what is wrong with the address."""
    return forms.CharField(label=label, required=False, max_length=254, widget=forms.EmailInput(attrs=attrs))


class _ConstituentDetailsForm(forms.ModelForm):
    """The constituent's own fields, shared by the create and edit forms."""

    # Longer than the column: " sw1a  1aa " is accepted and normalised, not refused for length.
    postcode = forms.CharField(
        required=False,
        max_length=20,
        help_text="For example SW1A 1AA. Sets the ward, and whether they live in the constituency.",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    class Meta:
        model = Constituent
        fields = CONSTITUENT_FIELDS
        widgets = {
            "date_of_birth": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "title": forms.TextInput(attrs={"autocomplete": "honorific-prefix"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "town": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }
        labels = {"in_constituency": "Lives in the constituency", "preferred_contact": "Prefers to be contacted by"}
        help_texts = {
            "in_constituency": "Set from the postcode when the office's postcode table knows it.",
            "consents_to_updates": "Newsletters and surveys only. Casework needs no consent.",
        }

    def clean_postcode(self) -> str:
        return _optional(normalise_postcode, self.cleaned_data.get("postcode", ""))

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise ValidationError("A date of birth cannot be in the future.")
        if born and born.year < 1900:
            raise ValidationError("Check the year: it is before 1900.")
        return born

    def details(self) -> dict[str, Any]:
        """The cleaned values, as keyword arguments for the constituent services."""
        return {name: self.cleaned_data[name] for name in CONSTITUENT_FIELDS}


class ConstituentForm(_ConstituentDetailsForm):
    """A new constituent with a first email and phone, and the duplicate check.

    Usable on its own page or inside another form (give it a ``prefix``). When the details
    look like records the office already has, ``clean`` sets ``duplicates`` and refuses
    until ``create_anyway`` is ticked. Create with
    ``constituent_create(office=..., actor=..., **form.create_kwargs())``.
    """

    email = _email_field("Email address", autocomplete="email")
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    phone_label = forms.CharField(
        label="Phone type", required=False, max_length=20, help_text="For example mobile, home or work."
    )
    create_anyway = forms.BooleanField(
        label="These are not the same person: create a new record anyway", required=False
    )

    field_order = ["title", "first_name", "last_name", "email", "phone", "phone_label"]

    def __init__(self, *args: Any, office: Office, check_duplicates: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        self.check_duplicates = check_duplicates
        self.duplicates: list[Constituent] = []

    def clean_email(self) -> str:
        return _optional(normalise_email, self.cleaned_data.get("email", ""))

    def clean_phone(self) -> str:
        return _optional(normalise_phone, self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.check_duplicates and not self.errors and not data.get("create_anyway"):
            self.duplicates = possible_duplicates(
                office=self.office,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                postcode=data.get("postcode", ""),
                emails=[data.get("email", "")],
                phones=[data.get("phone", "")],
            )
            if self.duplicates:
                self.add_error(
                    "create_anyway",
                    "The office may already have this person (listed above). Open one of those records, "
                    "or tick this box to create a new record anyway.",
                )
        return data

    def create_kwargs(self) -> dict[str, Any]:
        return {
            **self.details(),
            "email": self.cleaned_data["email"],
            "phone": self.cleaned_data["phone"],
            "phone_label": self.cleaned_data["phone_label"],
        }


class ConstituentEditForm(_ConstituentDetailsForm):
    pass


class ConstituentSearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name, postcode, email or phone",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class EmailAddForm(forms.Form):
    email = forms.CharField(label="Email address", max_length=254, widget=forms.EmailInput())
    preferred = forms.BooleanField(label="Make this the preferred address", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shares the constituent page with the phone form: distinct ids keep the labels right.
        super().__init__(*args, auto_id="add-email-%s", **kwargs)

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class PhoneAddForm(forms.Form):
    number = forms.CharField(label="Phone number", max_length=40, widget=forms.TextInput(attrs={"type": "tel"}))
    label = forms.CharField(label="Type", required=False, max_length=20, help_text="mobile, home, work…")
    preferred = forms.BooleanField(label="Make this the preferred number", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="add-phone-%s", **kwargs)

    def clean_number(self) -> str:
        return normalise_phone(self.cleaned_data["number"])


class RepresentativeForm(forms.ModelForm):
    email = _email_field("Email address")
    authority_recorded_at = forms.DateTimeField(
        label="Authority recorded on",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="When the consent or order was seen. Left empty, it is set to now when an authority is chosen.",
    )

    class Meta:
        model = Representative
        fields = REPRESENTATIVE_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        labels = {"authority": "Authority to act"}

    def clean_email(self) -> str:
        return _optional(normalise_email, self.cleaned_data.get("email", ""))

    def clean_phone(self) -> str:
        return _optional(normalise_phone, self.cleaned_data.get("phone", ""))

    def clean_authority_recorded_at(self) -> dt.datetime | None:
        when = self.cleaned_data.get("authority_recorded_at")
        if when and when > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError("This date is in the future.")
        return when

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in REPRESENTATIVE_FIELDS}


class MergeForm(forms.Form):
    """Which of the two records survives, and an explicit confirmation."""

    keep = forms.TypedChoiceField(label="Keep which record?", coerce=int, widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label="I have checked these are the same person. Merge them: this cannot be undone.",
        error_messages={"required": "Tick the box to confirm these are the same person."},
    )

    def __init__(self, *args: Any, first: Constituent, second: Constituent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (person.pk, f"Record {person.pk}: {person.full_name}, created {person.created_at:%d %b %Y}")
            for person in (first, second)
        ]
        self.fields["keep"].error_messages["required"] = "Choose the record to keep."


class OrganisationForm(forms.ModelForm):
    email = _email_field("Contact email for MPs' offices")
    required_identifiers = forms.CharField(
        label="Identifiers they need before acting",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, or separated by commas: e.g. National Insurance number, date of birth.",
    )
    reply_target = forms.IntegerField(
        label="Reply target", required=False, min_value=1, max_value=365, help_text="Leave empty if they set none."
    )
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="The page the public contact form sends people to first, e.g. how to report a missed bin.",
    )

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {
            "postal_address": forms.Textarea(attrs={"rows": 4}),
            "hotline": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"reply_target_unit": "Counted in"}
        help_texts = {"hotline": "Names, numbers and hours of the MP hotline or account manager, as published."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["required_identifiers"] = "\n".join(self.instance.required_identifiers)

    def clean_required_identifiers(self) -> list[str]:
        parts = re.split(r"[,\n]", self.cleaned_data.get("required_identifiers", ""))
        identifiers = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
        too_long = [item for item in identifiers if len(item) > 100]
        if too_long:
            raise ValidationError(f"“{too_long[0][:40]}…” is too long for one identifier (100 characters at most).")
        return identifiers

    def clean_email(self) -> str:
        return _optional(normalise_email, self.cleaned_data.get("email", ""))

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Name contains", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *OrganisationKind.choices])
    inactive = forms.BooleanField(label="Include deactivated", required=False)
