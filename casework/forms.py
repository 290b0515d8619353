from __future__ import annotations

from typing import Any

from django import forms

from casework.models import Case, CaseStatus, CloseReason, LawfulBasis, ParticipantRole, Priority, Tag, TagCategory
from constituents.models import Constituent, Representative, Ward
from security.models import Office, User


def member_choices(office: Office) -> forms.ModelChoiceField:
    members = User.objects.filter(memberships__office=office, memberships__is_active=True).order_by("full_name")
    return forms.ModelChoiceField(queryset=members, required=False, empty_label="Nobody yet", label="Assignee")


class TagChoiceField(forms.ModelMultipleChoiceField):
    """Active tags of the office only; an unknown or retired id is named in the error."""

    default_error_messages = {
        "invalid_choice": "“%(value)s” is not an active tag of this office's vocabulary.",
        "invalid_pk_value": "“%(pk)s” is not a tag.",
    }

    def __init__(self, office: Office, **kwargs: Any) -> None:
        super().__init__(queryset=Tag.objects.for_office(office).filter(is_active=True), required=False, **kwargs)
        self.office = office

    def _check_values(self, value: Any) -> Any:
        known = {str(pk): name for pk, name in Tag.objects.for_office(self.office).values_list("pk", "name")}
        retired = [known[str(v)] for v in value if str(v) in known and not self.queryset.filter(pk=v).exists()]
        if retired:
            raise forms.ValidationError(f"These tags are retired: {', '.join(retired)}. Choose active ones.")
        return super()._check_values(value)


class CaseDetailsForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "summary",
            "description",
            "priority",
            "restricted",
            "lawful_basis",
            "consent_how",
            "consent_at",
            "may_contact_third_parties",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "consent_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "restricted": "Only the assignee, office managers and the MP will see it.",
            "summary": "One line a colleague understands at a glance.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("lawful_basis") == LawfulBasis.EXPLICIT_CONSENT and not (
            data.get("consent_how") and data.get("consent_at")
        ):
            raise forms.ValidationError("With explicit consent, record how and when it was given.")
        return data


class CaseOpenForm(CaseDetailsForm):
    constituent = forms.ModelChoiceField(queryset=Constituent.unscoped.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, office: Office, new_constituent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["constituent"].queryset = Constituent.objects.for_office(office)
        self.fields["constituent"].required = not new_constituent
        self.fields["constituent"].error_messages["required"] = "Choose the constituent, or add a new one."
        self.fields["assignee"] = member_choices(office)
        self.fields["tags"] = TagChoiceField(office, widget=forms.CheckboxSelectMultiple)
        self.fields["priority"].initial = Priority.NORMAL


class CaseEditForm(CaseDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = member_choices(office)


class StatusForm(forms.Form):
    """Any status but closed, which has its own form because it needs a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=[(v, label) for v, label in CaseStatus.choices if v != CaseStatus.CLOSED])


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    close_reason = forms.ChoiceField(choices=CloseReason.choices, label="Why is it closing?")


class TagsForm(forms.Form):
    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tags"] = TagChoiceField(office, widget=forms.CheckboxSelectMultiple)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note", widget=forms.Textarea(attrs={"rows": 3, "data-shortcut": "n"}), max_length=20000
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label="Add a document")


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Reference, summary or surname")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), ("active", "Not closed"), *CaseStatus.choices]
    )
    assignee = forms.ChoiceField(required=False, label="Assignee")
    tag = forms.ModelChoiceField(queryset=Tag.unscoped.none(), required=False, empty_label="Any tag")
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Priority.choices])
    ward = forms.ModelChoiceField(queryset=Ward.unscoped.none(), required=False, empty_label="Any ward")
    sort = forms.ChoiceField(
        required=False, choices=[("", "Newest first"), ("oldest", "Oldest first"), ("due", "Due soonest")]
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__office=office, memberships__is_active=True).order_by("full_name")
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Nobody"),
            *((str(u.pk), u.full_name) for u in members),
        ]
        self.fields["tag"].queryset = Tag.objects.for_office(office).select_related("category")
        self.fields["ward"].queryset = Ward.objects.for_office(office)


class TagForm(forms.Form):
    name = forms.CharField(max_length=100)
    category = forms.ModelChoiceField(queryset=TagCategory.unscoped.none())
    description = forms.CharField(max_length=300, required=False)
    synonyms = forms.CharField(
        required=False, max_length=1000, help_text="Other words caseworkers use, separated by commas."
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TagCategory.objects.for_office(office)

    def clean_synonyms(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data["synonyms"].split(",") if s.strip()]


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=100, label="New category")
    description = forms.CharField(max_length=300, required=False)


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Tag.unscoped.none(), label="Merge into")

    def __init__(self, *args: Any, office: Office, source: Tag, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Tag.objects.for_office(office).exclude(pk=source.pk).order_by("name")


class BulkActionForm(forms.Form):
    """One action on the cases ticked in the triage queue."""

    action = forms.ChoiceField(choices=[("assign", "Assign"), ("tag", "Add a tag"), ("close", "Close")])
    cases = forms.ModelMultipleChoiceField(
        queryset=Case.unscoped.none(), error_messages={"required": "Tick at least one case first (x)."}
    )
    tag = forms.ModelChoiceField(queryset=Tag.unscoped.none(), required=False, label="Tag to add")
    close_reason = forms.ChoiceField(choices=[("", "—"), *CloseReason.choices], required=False, label="Close as")

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = Case.objects.for_office(office)
        self.fields["assignee"] = member_choices(office)
        self.fields["assignee"].label = "Assign to"
        self.fields["tag"].queryset = Tag.objects.for_office(office).filter(is_active=True).select_related("category")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "tag" and not data.get("tag"):
            self.add_error("tag", "Choose the tag to add.")
        if data.get("action") == "close" and not data.get("close_reason"):
            self.add_error("close_reason", "Choose why the cases are being closed.")
        return data


class ParticipantForm(forms.Form):
    """Another person involved in the case: someone acting for the constituent, or another constituent."""

    representative = forms.ModelChoiceField(
        queryset=Representative.unscoped.none(), required=False, label="Someone acting for them"
    )
    constituent = forms.ModelChoiceField(queryset=Constituent.unscoped.none(), required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=ParticipantRole.choices, label="How are they involved?")

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].queryset = Representative.objects.for_office(case.office).filter(
            constituent_id=case.constituent_id
        )
        self.fields["constituent"].queryset = Constituent.objects.for_office(case.office)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("representative")) == bool(data.get("constituent")):
            raise forms.ValidationError("Choose one person: someone acting for them, or another constituent.")
        return data
