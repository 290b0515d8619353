"""Forms for letters: the manager's templates, paragraphs and letterhead, and a letter on a case."""

from __future__ import annotations

from typing import Any

from django import forms

from constituents.models import Organisation
from correspondence.letter_layout import MAX_ADDRESS_LINE, MAX_ADDRESS_LINES
from correspondence.letters import MAX_BODY, MAX_IMAGE_BYTES, active_templates
from correspondence.merge import merge_validate, unknown_fields_message
from correspondence.models import Addressee, Letterhead, LetterTemplate, StandardParagraph
from security.models import Office

MERGE_HELP = "Merge fields such as {{ constituent.salutation }} are filled in for each letter; see the list."


def _merge_checked(value: str) -> str:
    unknown = merge_validate(value)
    if unknown:
        raise forms.ValidationError(unknown_fields_message(unknown))
    return value


def _organisations(office: Office) -> Any:
    return Organisation.objects.for_office(office).filter(is_active=True).order_by("name")


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "addressee", "body", "chaser_for", "is_active"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "class": "letter-text"}),
            "addressee": forms.RadioSelect,
        }
        help_texts = {"body": MERGE_HELP + " Leave a blank line between paragraphs."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = MAX_BODY
        self.fields["body"].label = "Letter"
        organisations = Organisation.objects.for_office(self.instance.office).filter(is_active=True)
        self.fields["chaser_for"].queryset = organisations

    def clean_body(self) -> str:
        return _merge_checked(self.cleaned_data["body"])


class StandardParagraphForm(forms.ModelForm):
    class Meta:
        model = StandardParagraph
        fields = ["title", "category", "shortcut", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "class": "letter-text"})}
        help_texts = {"body": MERGE_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = MAX_BODY
        self.fields["body"].label = "Paragraph"

    def clean_body(self) -> str:
        return _merge_checked(self.cleaned_data["body"])


class LetterheadForm(forms.ModelForm):
    """The pictures are checked by the service (PNG or JPEG, size, pixels), not trusted by name."""

    logo = forms.FileField(
        required=False,
        label="Upload a new logo",
        help_text="PNG or JPEG, up to 2 MB; printed 22 mm high at the top left.",
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    signature = forms.FileField(
        required=False,
        label="Upload a new signature",
        help_text="PNG or JPEG of the MP's signature on white, up to 2 MB; printed above the MP's name.",
    )
    remove_signature = forms.BooleanField(required=False, label="Remove the signature")

    class Meta:
        model = Letterhead
        fields = ["mp_name", "mp_title", "constituency", "address", "contact", "footer"]
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}

    def clean_logo(self) -> Any:
        return self._small(self.cleaned_data.get("logo"))

    def clean_signature(self) -> Any:
        return self._small(self.cleaned_data.get("signature"))

    @staticmethod
    def _small(upload: Any) -> Any:
        if upload is not None and upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError("That picture is over 2 MB.")
        return upload

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class LetterStartForm(forms.Form):
    """What to start from: a template, and whom the letter is to (read from the query string)."""

    template = forms.ModelChoiceField(
        queryset=LetterTemplate.unscoped.none(), required=False, empty_label="A blank letter", label="Template"
    )
    addressee = forms.ChoiceField(
        choices=Addressee.choices, initial=Addressee.CONSTITUENT, widget=forms.RadioSelect, label="To", required=False
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.unscoped.none(), required=False, empty_label="Choose an organisation"
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("addressee"):
            # A link with only ?template= writes to the constituent, as the radio shows.
            self.data = self.data.copy()
            self.data["addressee"] = Addressee.CONSTITUENT
        self.fields["template"].queryset = active_templates(office)
        self.fields["organisation"].queryset = _organisations(office)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("addressee") == Addressee.ORGANISATION and not data.get("organisation"):
            self.add_error("organisation", "Choose the organisation to write to.")
        return data


class LetterForm(forms.Form):
    """The letter as the caseworker will save it. Its text is kept exactly as written."""

    addressee = forms.ChoiceField(choices=Addressee.choices, widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.unscoped.none(), required=False, widget=forms.HiddenInput
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": MAX_ADDRESS_LINES, "class": "letter-address"}),
        help_text=f"As it shows through the envelope window: {MAX_ADDRESS_LINES} lines at most, "
        f"each of {MAX_ADDRESS_LINE} characters at most.",
        max_length=1000,
    )
    their_reference = forms.CharField(
        label="Their reference", required=False, max_length=60, help_text="Printed as “Your ref”, if they gave one."
    )
    subject = forms.CharField(
        label="Subject", max_length=200, help_text="How the letter is listed on the case; not printed."
    )
    body = forms.CharField(
        label="Letter",
        widget=forms.Textarea(attrs={"rows": 22, "class": "letter-text"}),
        max_length=MAX_BODY,
        help_text="Leave a blank line between paragraphs. Printed as written.",
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(office)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("addressee") == Addressee.ORGANISATION and not data.get("organisation"):
            raise forms.ValidationError("Choose the organisation to write to, above.")
        return data
