"""Forms of the campaign pages. Each validates with errors that say what to do."""

from __future__ import annotations

from typing import Any

from django import forms

from campaigns import merge, platforms
from campaigns.models import Campaign, CampaignMember, CampaignSettings, ResponseMode
from campaigns.selectors import merge_targets
from constituents.models import InConstituency
from correspondence.models import Message, TriageState


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name", help_text="What the office calls this campaign.")


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Campaign.unscoped.none(),
        label="Merge into",
        empty_label="Choose a campaign",
        error_messages={"invalid_choice": "Choose one of this office's open campaigns."},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = merge_targets(campaign=campaign)


class ModeForm(forms.Form):
    mode = forms.ChoiceField(choices=ResponseMode.choices, widget=forms.RadioSelect, label="How it is answered")
    reply_to_later = forms.BooleanField(
        required=False,
        label="Send the approved response to later arrivals automatically",
        help_text="Acknowledgements always go to later arrivals.",
    )


class ResponseForm(forms.Form):
    subject = forms.CharField(max_length=300)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=merge.MAX_LENGTH,
        label="Response",
        help_text="Merge fields: " + ", ".join(f"{{{{ {name} }}}}" for name in merge.FIELDS) + ".",
    )

    def clean_subject(self) -> str:
        return _merge_ok(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return _merge_ok(self.cleaned_data["body"])


def _merge_ok(value: str) -> str:
    found = merge.problems(value)
    if found:
        raise forms.ValidationError(found)
    return value


class ReturnForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="What should change",
        error_messages={"required": "Say what should change before sending it back."},
    )


class SendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CampaignSettings
        fields = [
            "threshold",
            "window_days",
            "platform_threshold",
            "non_constituents",
            "unknown_as_constituents",
            "platforms",
        ]
        widgets = {"platforms": forms.Textarea(attrs={"rows": 12}), "non_constituents": forms.RadioSelect}

    def clean_threshold(self) -> int:
        return _between(self.cleaned_data["threshold"], 2, 1000)

    def clean_window_days(self) -> int:
        return _between(self.cleaned_data["window_days"], 1, 90)

    def clean_platform_threshold(self) -> int:
        return _between(self.cleaned_data["platform_threshold"], 2, 1000)

    def clean_platforms(self) -> str:
        value = self.cleaned_data["platforms"]
        try:
            platforms.parse(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return value


def _between(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise forms.ValidationError(f"Give a number from {low} to {high}.")
    return value


class SplitForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=CampaignMember.unscoped.none(),
        error_messages={
            "required": "Tick the messages that belong to another campaign.",
            "invalid_choice": "One of the ticked messages is not in this campaign any more.",
            "invalid_pk_value": "“%(pk)s” is not a message of this campaign.",
        },
    )
    name = forms.CharField(max_length=200, required=False, label="Name of the new campaign")

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = CampaignMember.objects.for_office(campaign.office).filter(campaign=campaign)


class AddMessageForm(forms.Form):
    message = forms.ModelChoiceField(
        queryset=Message.unscoped.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That message is not waiting in triage or in another campaign."},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].queryset = Message.objects.for_office(campaign.office).filter(
            direction="in", triage_state__in=(TriageState.NEW, TriageState.CAMPAIGN)
        )


class MemberFilterForm(forms.Form):
    STATUSES = [("", "Any"), ("unanswered", "Not answered"), ("answered", "Answered"), ("failed", "Reply failed")]

    personalised = forms.BooleanField(required=False, label="Personalised only")
    constituency = forms.ChoiceField(
        choices=[("", "Anyone"), *InConstituency.choices], required=False, label="Constituent"
    )
    status = forms.ChoiceField(choices=STATUSES, required=False, label="Reply")
