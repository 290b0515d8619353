from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from security.dataprotection.dates import MAX_EXTENSION_MONTHS
from security.dataprotection.models import ReceivedBy


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="Find the person", max_length=200, help_text="A name, email address or postcode.")


class SarLogForm(forms.Form):
    received_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day the request reached the office, by any route. The one-month clock starts here.",
    )
    received_by = forms.ChoiceField(label="How it arrived", choices=ReceivedBy.choices)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How their identity was checked, and anything they narrowed the request to.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class SarExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, MAX_EXTENSION_MONTHS + 1)],
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Why the request is complex or one of many. Tell the person within the first month.",
    )


class SarReviewForm(forms.Form):
    """The reviewer's ticks: the rows to withhold and the names to redact, plus names typed in."""

    withheld = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    names = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    extra_terms = forms.CharField(
        label="Other names or words to redact",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: other people's names, addresses or references that are not the requester's.",
    )

    def __init__(self, *args: Any, items: list[str], names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withheld"].choices = [(key, key) for key in items]
        self.fields["names"].choices = [(name, name) for name in names]

    def terms(self) -> list[str]:
        typed = [line for line in self.cleaned_data["extra_terms"].splitlines() if line.strip()]
        return [*self.cleaned_data["names"], *typed]


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this erases their details for good: it cannot be undone",
        error_messages={"required": "Tick to confirm the erasure."},
    )
    settle = forms.BooleanField(
        label="Close their open cases first (as withdrawn)",
        required=False,
    )

    def __init__(self, *args: Any, to_settle: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.to_settle = to_settle
        if to_settle:
            self.fields["settle"].required = True
            self.fields["settle"].error_messages["required"] = "Confirm that their open cases may be closed."
        else:
            del self.fields["settle"]


def _months_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=1200,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 5}),
    )


class RetentionPolicyForm(forms.Form):
    """Months per registry category, and finer periods per override source (tag categories)."""

    def __init__(self, *args: Any, office: Any, periods: dict[str, Any], overrides: dict[str, Any], **kwargs: Any):
        from security import personal_data
        from security.personal_data import Retention

        super().__init__(*args, **kwargs)
        self.sources = []
        for value, label in Retention.choices:
            name = f"period_{value}"
            self.fields[name] = _months_field(label, "Months. Leave empty to keep them.")
            self.initial[name] = periods.get(value)
        for source in personal_data.retention_override_sources():
            names = []
            for key, label in source.choices(office):
                name = f"override_{source.key.replace('.', '_')}_{key}"
                self.fields[name] = _months_field(label, "")
                self.initial[name] = (overrides.get(source.key) or {}).get(key)
                names.append((name, key))
            self.sources.append((source, names))

    def period_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("period_")]

    def override_groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(source, [self[name] for name, _ in names]) for source, names in self.sources]

    def periods(self) -> dict[str, int | None]:
        return {name.removeprefix("period_"): v for name, v in self.cleaned_data.items() if name.startswith("period_")}

    def overrides(self) -> dict[str, dict[str, int | None]]:
        return {source.key: {key: self.cleaned_data.get(name) for name, key in names} for source, names in self.sources}


class RetentionConfirmForm(forms.Form):
    remove_all = forms.BooleanField(
        label="I understand that this removes every record of the kinds marked above",
        required=False,
    )


class HandoverForm(forms.Form):
    mode = forms.ChoiceField(
        label="What happens to them",
        choices=[
            ("move", "Move them to another office of this service (its manager accepts first)"),
            ("export_purge", "Export them for a successor outside this service, then purge them here"),
        ],
        widget=forms.RadioSelect,
    )
    target_office = forms.SlugField(
        label="The receiving office's identifier",
        required=False,
        max_length=80,
        help_text="Its manager finds it on their Handover page. Offices of this service are not listed to each other.",
    )
    wards = forms.MultipleChoiceField(
        label="Every case in these wards",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a boundary change: the wards moving to the other constituency.",
    )
    references = forms.CharField(
        label="And these cases",
        required=False,
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Case references, one per line or separated by spaces, e.g. 2026/0142.",
    )

    def __init__(self, *args: Any, offices: Any, wards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = offices
        self.fields["wards"].choices = wards

    def clean_target_office(self) -> Any:
        slug = self.cleaned_data["target_office"]
        if not slug:
            return None
        office = self.offices.filter(slug=slug).first()
        if office is None:
            raise forms.ValidationError("No other office of this service has that identifier.")
        return office

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == "move" and not data.get("target_office") and "target_office" not in self.errors:
            self.add_error("target_office", "Give the identifier of the office that receives them.")
        if not data.get("wards") and not (data.get("references") or "").strip():
            raise forms.ValidationError("Choose wards, or give case references.")
        return data

    def reference_list(self) -> list[str]:
        return (self.cleaned_data.get("references") or "").replace(",", " ").split()


class PurgeForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have the export, and understand the purge erases these people here for good",
        error_messages={"required": "Tick to confirm the purge."},
    )
