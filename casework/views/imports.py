"""Importing constituents and cases from another system: upload, map columns, check, import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework import importing
from casework.models import ImportJob, ImportStatus
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="The first row names the columns. At most 20,000 rows and 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class MappingForm(forms.Form):
    def __init__(self, *args: object, job: ImportJob, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —"), *((str(n), name) for n, name in enumerate(job.columns))]
        for target in importing.TARGETS:
            self.fields[target.key] = forms.ChoiceField(label=target.label, choices=choices, required=False)
            self.initial[target.key] = str(job.mapping[target.key]) if target.key in job.mapping else ""

    def mapping(self) -> dict[str, int]:
        return {key: int(value) for key, value in self.cleaned_data.items() if value != ""}


@office_required(Perm.IMPORT_DATA)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_upload(office=request.office, actor=request.user, upload=form.cleaned_data["file"])
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            return redirect("casework:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.for_office(request.office).select_related("created_by")[:10]
    return render(request, "casework/import_start.html", {"form": form, "jobs": jobs})


@office_required(Perm.IMPORT_DATA)
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """Map the columns, then "Check" (a dry run listing every row's errors) or "Import"."""
    job = get_for_office_or_404(ImportJob, request.office, pk=job_id)
    form = MappingForm(request.POST or None, job=job)
    action = request.POST.get("action")
    if request.method == "POST" and action == "discard":
        importing.import_discard(job=job, actor=request.user)
        messages.success(request, "Discarded: the file is deleted.")
        return redirect("casework:import_start")
    if request.method == "POST" and form.is_valid() and action in ("check", "import"):
        try:
            importing.import_map(job=job, actor=request.user, mapping=form.mapping())
            if action == "check":
                importing.import_check(job=job, actor=request.user)
            else:
                importing.import_commit(job=job, actor=request.user)
                messages.success(request, "Imported.")
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("casework:import_detail", job_id=job.pk)
    context = {"job": job, "form": form, "finished": job.status in (ImportStatus.IMPORTED, ImportStatus.DISCARDED)}
    return render(request, "casework/import_detail.html", context)
