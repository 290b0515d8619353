"""Handover pages: choose cases, move them to another office (which accepts) or export and
purge them; and the full office export. Managers only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from security import personal_data
from security.dataprotection import handover as services
from security.dataprotection import office_export
from security.dataprotection.forms import HandoverForm, PurgeForm
from security.dataprotection.models import ExportStatus, Handover, HandoverStatus, OfficeExport
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _handover_or_404(request: HttpRequest, handover_id: int) -> Handover:
    found = services.handover_for_office_or_none(request.office, handover_id)
    if found is None:
        raise Http404("No such handover here.")
    return found


@office_required(Perm.DATA_PROTECTION)
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    outgoing, incoming = services.handovers_for(request.office)
    context = {"outgoing": outgoing[:50], "incoming": incoming[:50]}
    return render(request, "security/dataprotection/handover_list.html", context)


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
def handover_create(request: HttpRequest) -> HttpResponse:
    """Choose the cases; "Preview" lists them (closed over their people); "Confirm" acts."""
    form = HandoverForm(
        request.POST or None,
        offices=services.target_offices(request.office),
        wards=personal_data.case_selector().wards(request.office),
    )
    plan = None
    if request.method == "POST" and form.is_valid():
        wards, references = form.cleaned_data["wards"], form.reference_list()
        plan = services.handover_plan(office=request.office, wards=wards, references=references)
        if request.POST.get("action") == "confirm":
            try:
                created = _start(request, form, wards, references)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                return redirect("security:handover_detail", handover_id=created.pk)
    return render(request, "security/dataprotection/handover_form.html", {"form": form, "plan": plan})


def _start(request: HttpRequest, form: HandoverForm, wards: list[str], references: list[str]) -> Handover:
    if form.cleaned_data["mode"] == "move":
        created = services.handover_propose(
            office=request.office,
            actor=request.user,
            target_office=form.cleaned_data["target_office"],
            wards=wards,
            references=references,
        )
        messages.success(request, f"Offered to {created.target_office}. Nothing moves until its manager accepts.")
    else:
        created = services.handover_export(
            office=request.office, actor=request.user, wards=wards, references=references
        )
        messages.success(request, "Exported. Download it, then purge the cases here.")
    return created


@office_required(Perm.DATA_PROTECTION)
@require_GET
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = _handover_or_404(request, handover_id)
    ours = found.office_id == request.office.pk
    # The receiving office sees references and statuses only while deciding; nothing after.
    show = ours or found.status == HandoverStatus.PROPOSED
    context = {
        "handover": found,
        "ours": ours,
        "lines": personal_data.case_selector().describe(found.office, found.case_ids) if show else [],
        "purge_form": PurgeForm(),
        "waiting_for_us": not ours and found.status == HandoverStatus.PROPOSED,
    }
    return render(request, "security/dataprotection/handover_detail.html", context)


def _act(request: HttpRequest, found: Handover, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    try:
        action(handover=found, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("security:handover_detail", handover_id=found.pk)


@office_required(Perm.DATA_PROTECTION)
@require_POST
def handover_accept(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = _handover_or_404(request, handover_id)
    done = "Accepted: the cases are now this office's."
    return _act(request, found, services.handover_accept, done, office=request.office)


@office_required(Perm.DATA_PROTECTION)
@require_POST
def handover_decline(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = _handover_or_404(request, handover_id)
    return _act(request, found, services.handover_decline, "Declined.", office=request.office)


@office_required(Perm.DATA_PROTECTION)
@require_POST
def handover_cancel(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = get_for_office_or_404(Handover, request.office, pk=handover_id)
    return _act(request, found, services.handover_cancel, "Cancelled.")


@office_required(Perm.DATA_PROTECTION)
@require_GET
@recent_otp_required
def handover_download(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = get_for_office_or_404(Handover, request.office, pk=handover_id)
    if not found.export_file:
        messages.error(request, "There is no export to download.")
        return redirect("security:handover_detail", handover_id=found.pk)
    services.handover_download_record(handover=found, actor=request.user)
    return _zip(found.export_file.name, f"handover-{found.pk}.zip")


@office_required(Perm.DATA_PROTECTION)
@require_POST
@recent_otp_required
def handover_purge(request: HttpRequest, handover_id: int) -> HttpResponse:
    found = get_for_office_or_404(Handover, request.office, pk=handover_id)
    if not PurgeForm(request.POST).is_valid():
        messages.error(request, "Tick to confirm the purge.")
        return redirect("security:handover_detail", handover_id=found.pk)
    return _act(request, found, services.handover_purge, "Purged: the people of this handover are erased here.")


def _zip(name: str, filename: str) -> FileResponse:
    response = FileResponse(
        default_storage.open(name, "rb"), as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- The office export --------------------------------------------------------------------------------
@office_required(Perm.EXPORT)
@require_http_methods(["GET", "POST"])
def office_exports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            office_export.office_export_request(office=request.office, actor=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The export is being written. This page shows when it is ready.")
        return redirect("security:office_exports")
    exports = OfficeExport.objects.for_office(request.office).select_related("requested_by")[:20]
    context = {"exports": exports, "keep_days": settings.OFFICE_EXPORT_KEEP_DAYS}
    return render(request, "security/dataprotection/office_exports.html", context)


@office_required(Perm.EXPORT)
@require_GET
@recent_otp_required
def office_export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = get_for_office_or_404(OfficeExport, request.office, pk=export_id)
    if export.status != ExportStatus.READY or not export.file:
        messages.error(request, "That export is not available.")
        return redirect("security:office_exports")
    office_export.office_export_download_record(export=export, actor=request.user)
    return _zip(export.file.name, f"office-export-{export.pk}.zip")
