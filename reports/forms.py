from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from casework.models import Tag
from reports.models import ReportSettings
from reports.periods import DEFAULT_PRESET, MAX_DAYS, PRESETS, Period, day_label, preset
from security.models import Office

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """Start and end dates (both days included) checked for order, span and the future."""

    start = forms.DateField(label="From", widget=DATE, required=False)
    end = forms.DateField(label="To", widget=DATE, required=False)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start is None and end is None:
            data["period"] = self.default_period()
            return data
        if start is None or end is None:
            raise forms.ValidationError("Give both a start and an end date.")
        if end < start:
            self.add_error(
                "end",
                f"The end date ({day_label(end)}) is before the start date ({day_label(start)}): "
                "choose an end on or after the start.",
            )
            return data
        if start > self.today:
            self.add_error("start", "The period starts in the future: choose a start up to today.")
            return data
        if (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", "Choose a period of ten years or less.")
            return data
        data["period"] = Period(start, end)
        return data

    def default_period(self) -> Period:
        raise forms.ValidationError("Give a start and an end date.")


class DashboardForm(PeriodForm):
    """The dashboard's filters; a quick period (``preset``) applies when no dates are given."""

    tag = forms.ModelChoiceField(queryset=Tag.unscoped.none(), required=False, empty_label="All tags")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.for_office(office).order_by("name")
        self.fields["tag"].error_messages["invalid_choice"] = "Choose a tag of this office's vocabulary."

    def default_period(self) -> Period:
        name = self.data.get("preset") or DEFAULT_PRESET
        return preset(name if name in PRESETS else DEFAULT_PRESET, self.today)


class ReportRequestForm(PeriodForm):
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)


class ReportSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Time zone of the schedule",
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text="Weekly reports are produced on Monday from 07:00, monthly ones on the 1st, in this time zone.",
    )

    class Meta:
        model = ReportSettings
        fields = ["suppress_below", "weekly", "monthly", "attach_pdf", "time_zone"]
