"""Data protection pages for managers: the overview, subject access requests and erasure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from security import personal_data
from security.audit import audit_view
from security.dataprotection import collect, erasure, sar
from security.dataprotection.forms import ErasureForm, PersonSearchForm, SarExtendForm, SarLogForm, SarReviewForm
from security.dataprotection.models import OPEN_SAR_STATUSES, SarStatus, SubjectAccessRequest
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

SEARCH_LIMIT = 20


def _subject_or_404(request: HttpRequest, subject_id: int) -> Any:
    return get_for_office_or_404(personal_data.subject().model, request.office, pk=subject_id)


def _sar_or_404(request: HttpRequest, sar_id: int) -> SubjectAccessRequest:
    return get_for_office_or_404(SubjectAccessRequest, request.office, pk=sar_id)


def _with_subjects(request: HttpRequest, rows: list[SubjectAccessRequest]) -> list[SubjectAccessRequest]:
    subjects = sar.subjects_by_id(request.office, [row.subject_id for row in rows])
    label = personal_data.subject().label
    for row in rows:
        found = subjects.get(row.subject_id)
        row.subject_label = label(found) if found is not None else "Record no longer held"  # type: ignore[attr-defined]
    return rows


@office_required(Perm.DATA_PROTECTION)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Requests due soon, and a search for the person a new request or an erasure is about."""
    form = PersonSearchForm(request.GET or None)
    people = []
    if form.is_valid():
        people = list(personal_data.subject().search(request.office, form.cleaned_data["q"])[:SEARCH_LIMIT])
    due = _with_subjects(request, list(sar.sars_due_soon(office=request.office)))
    label = personal_data.subject().label
    context = {
        "form": form,
        "people": [(person, label(person)) for person in people],
        "searched": form.is_valid(),
        "due": due,
        "due_soon_days": sar.DUE_SOON_DAYS,
    }
    return render(request, "security/dataprotection/overview.html", context)


@office_required(Perm.DATA_PROTECTION)
@require_GET
def sar_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    rows = SubjectAccessRequest.objects.for_office(request.office).select_related("logged_by")
    if show_all:
        rows = rows.order_by("-received_on", "-id")
    else:
        rows = rows.filter(status__in=OPEN_SAR_STATUSES).order_by("due_on", "id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    _with_subjects(request, list(page.object_list))
    return render(request, "security/dataprotection/sar_list.html", {"page": page, "show_all": show_all})


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
def sar_create(request: HttpRequest, constituent_id: int) -> HttpResponse:
    subject = _subject_or_404(request, constituent_id)
    form = SarLogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = sar.sar_log(office=request.office, actor=request.user, subject_id=subject.pk, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Request logged. It is due by {created.due_on:%-d %B %Y}.")
            return redirect("security:sar_detail", sar_id=created.pk)
    context = {"form": form, "subject": subject, "subject_label": personal_data.subject().label(subject)}
    return render(request, "security/dataprotection/sar_form.html", context)


def _detail_context(request: HttpRequest, found: SubjectAccessRequest, **forms: Any) -> dict[str, Any]:
    _with_subjects(request, [found])
    return {
        "sar": found,
        "extend_form": forms.get("extend_form") or SarExtendForm(),
        "subject": collect.subject_get(request.office, found.subject_id),
        "max_extension": 2 - found.extended_months,
    }


@office_required(Perm.DATA_PROTECTION)
@require_GET
def sar_detail(request: HttpRequest, sar_id: int) -> HttpResponse:
    found = _sar_or_404(request, sar_id)
    audit_view(request, found)
    return render(request, "security/dataprotection/sar_detail.html", _detail_context(request, found))


def _act(request: HttpRequest, found: SubjectAccessRequest, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    try:
        action(sar=found, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("security:sar_detail", sar_id=found.pk)


@office_required(Perm.DATA_PROTECTION)
@require_POST
def sar_extend(request: HttpRequest, sar_id: int) -> HttpResponse:
    found = _sar_or_404(request, sar_id)
    form = SarExtendForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "security/dataprotection/sar_detail.html",
            _detail_context(request, found, extend_form=form),
            status=200,
        )
    return _act(request, found, sar.sar_extend, "Extended. Tell the person, with the reason.", **form.cleaned_data)


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
def sar_review(request: HttpRequest, sar_id: int) -> HttpResponse:
    """Tick what to withhold (an exemption applies) and whose names to redact, then save."""
    found = _sar_or_404(request, sar_id)
    tables, names = sar.sar_review_items(sar=found)
    suggested = set(names)
    items = [item.key for table in tables for item in table.items]
    initial = {
        "withheld": found.withheld,
        "names": [t for t in found.redact_terms if t in suggested],
        "extra_terms": "\n".join(t for t in found.redact_terms if t not in suggested),
    }
    form = SarReviewForm(request.POST or None, initial=initial, items=items, names=names)
    if request.method == "POST" and form.is_valid() and found.is_open:
        try:
            sar.sar_review_save(
                sar=found, actor=request.user, withheld=form.cleaned_data["withheld"], redact_terms=form.terms()
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Review saved. Generate the export when you are ready.")
            return redirect("security:sar_detail", sar_id=found.pk)
    audit_view(request, found)
    context = {"sar": found, "form": form, "tables": tables, "names": names, "withheld": set(form["withheld"].value())}
    return render(request, "security/dataprotection/sar_review.html", context)


@office_required(Perm.DATA_PROTECTION)
@require_POST
def sar_generate(request: HttpRequest, sar_id: int) -> HttpResponse:
    found = _sar_or_404(request, sar_id)
    return _act(request, found, sar.sar_generate, "The export is ready to download.")


@office_required(Perm.DATA_PROTECTION)
@require_GET
@recent_otp_required
def sar_download(request: HttpRequest, sar_id: int) -> HttpResponse:
    """The zip, after a fresh 2FA code; streamed from storage."""
    found = _sar_or_404(request, sar_id)
    if found.status not in (SarStatus.READY, SarStatus.ANSWERED) or not found.export_file:
        messages.error(request, "There is no export to download: generate it first.")
        return redirect("security:sar_detail", sar_id=found.pk)
    sar.sar_download_record(sar=found, actor=request.user)
    response = FileResponse(
        default_storage.open(found.export_file.name, "rb"),
        as_attachment=True,
        filename=f"subject-access-request-{found.pk}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@office_required(Perm.DATA_PROTECTION)
@require_POST
def sar_answered(request: HttpRequest, sar_id: int) -> HttpResponse:
    found = _sar_or_404(request, sar_id)
    return _act(request, found, sar.sar_mark_answered, "Marked as answered.")


@office_required(Perm.DATA_PROTECTION)
@require_POST
def sar_withdraw(request: HttpRequest, sar_id: int) -> HttpResponse:
    found = _sar_or_404(request, sar_id)
    return _act(request, found, sar.sar_withdraw, "Marked as withdrawn.")


@office_required(Perm.DATA_PROTECTION)
@require_http_methods(["GET", "POST"])
@recent_otp_required
def subject_erase(request: HttpRequest, constituent_id: int) -> HttpResponse:
    """What erasing the person would touch, then the erasure itself once confirmed."""
    subject = _subject_or_404(request, constituent_id)
    preview = erasure.erasure_preview(office=request.office, subject=subject)
    form = ErasureForm(request.POST or None, to_settle=preview.to_settle)
    if request.method == "POST" and form.is_valid():
        try:
            done = erasure.subject_erase(
                office=request.office,
                subject_id=subject.pk,
                actor=request.user,
                confirm_settle=bool(form.cleaned_data.get("settle")),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Erased: {sum(done.counts.values())} records anonymised or deleted. The audit log keeps ids only.",
            )
            return redirect("security:data_protection")
    label = personal_data.subject().label(subject)
    context = {"subject": subject, "subject_label": label, "preview": preview, "form": form}
    return render(request, "security/dataprotection/erase.html", context)
