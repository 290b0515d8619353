"""Case pages: list, open, detail with timeline, edit, and the actions on a case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import search as case_search
from casework import selectors, services
from casework.forms import (
    AssignForm,
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    CloseForm,
    DocumentForm,
    NoteForm,
    ParticipantForm,
    StatusForm,
    TagsForm,
)
from casework.models import Case, CaseDocument, CaseParticipant
from casework.sections import case_page
from casework.uploads import sniff_content_type
from casework.views.tags import tag_picker_context
from constituents import selectors as constituent_selectors
from constituents import services as constituent_services
from constituents.forms import ConstituentForm
from constituents.models import Constituent
from security.audit import audit_view
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    return selectors.visible_case_or_404(
        office=request.office, membership=request.membership, case_id=case_id, related=("constituent", "assignee")
    )


@office_required(Perm.VIEW_CASES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None, office=request.office)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(office=request.office, membership=request.membership, filters=filters)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    template = "casework/_case_rows.html" if request.htmx else "casework/case_list.html"
    return render(request, template, {"form": form, "page": page})


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """Open a case for a constituent found by search, or for a new one entered on the same form."""
    new_person = request.POST.get("constituent_mode") == "new"
    initial = {"constituent": request.GET.get("constituent")} if request.GET.get("constituent") else None
    form = CaseOpenForm(request.POST or None, office=request.office, initial=initial, new_constituent=new_person)
    person_form = ConstituentForm(request.POST if new_person else None, office=request.office, prefix="new")
    if request.method == "POST" and form.is_valid() and (not new_person or person_form.is_valid()):
        try:
            case = _open_case(request, form.cleaned_data, person_form if new_person else None)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("casework:case_detail", case_id=case.pk)
    context = {
        "form": form,
        "person_form": person_form,
        "new_person": new_person,
        "chosen": _chosen_constituent(request, form),
    }
    context |= tag_picker_context(selectors.active_tags(office=request.office), _as_strings(form["tags"].value()))
    return render(request, "casework/case_open.html", context)


@transaction.atomic
def _open_case(request: HttpRequest, data: dict[str, Any], person_form: ConstituentForm | None) -> Case:
    if person_form is not None:
        data = data | {
            "constituent": constituent_services.constituent_create(
                office=request.office, actor=request.user, **person_form.create_kwargs()
            )
        }
    return services.case_open(office=request.office, opened_by=request.user, **data)


def _as_strings(values: Any) -> list[str]:
    return [str(v) for v in (values or [])]


def _chosen_constituent(request: HttpRequest, form: CaseOpenForm) -> Constituent | None:
    raw = form["constituent"].value()
    if not raw or not str(raw).isdigit():
        return None
    return Constituent.objects.for_office(request.office).filter(pk=raw).first()


@office_required(Perm.VIEW_CASES)
@require_GET
def constituent_picker(request: HttpRequest) -> HttpResponse:
    """htmx: constituents matching the search box, to choose one for a new case."""
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if len(query) >= 2:
        found = list(constituent_selectors.constituent_list(office=request.office, query=query)[:15])
    return render(request, "casework/_constituent_choices.html", {"found": found, "query": query})


@office_required(Perm.VIEW_CASES)
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    audit_view(request, case)
    return render(request, "casework/case_detail.html", _detail_context(request, case))


def _detail_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    office, version = request.office, {"version": case.version}
    tags_form = forms.get("tags_form")
    chosen = _as_strings(tags_form["tags"].value()) if tags_form else [str(t.pk) for t in case.tags.all()]
    return tag_picker_context(selectors.active_tags(office=office), chosen) | {
        "case": case,
        "events": selectors.timeline(case=case),
        "documents": case.documents.all(),
        "tags": list(case.tags.select_related("category")),
        "can_work": request.membership.allows(Perm.WORK_CASES),
        "assign_form": forms.get("assign_form")
        or AssignForm(office=office, initial={**version, "assignee": case.assignee_id}),
        "status_form": forms.get("status_form") or StatusForm(initial={**version, "status": case.status}),
        "close_form": forms.get("close_form") or CloseForm(initial=version),
        "tags_form": forms.get("tags_form") or TagsForm(office=office, initial={"tags": case.tags.all()}),
        "note_form": forms.get("note_form") or NoteForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "participants": case.participants.select_related("constituent", "representative"),
        "participant_form": forms.get("participant_form") or ParticipantForm(case=case),
        "case_sections": case_page.for_page(request, case),
    }


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseEditForm(request.POST or None, instance=case, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        try:
            # The form mutated ``case`` in place; the service compares against the stored row.
            stored = Case.objects.for_office(request.office).get(pk=case.pk)
            services.case_update(case=stored, actor=request.user, version=form.cleaned_data["version"], **changes)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Case details saved.")
            return redirect("casework:case_detail", case_id=case.pk)
    return render(request, "casework/case_edit.html", {"form": form, "case": case})


def _case_action(
    request: HttpRequest,
    case_id: int,
    form_name: str,
    make_form: Callable[[Case], forms.Form],
    act: Callable[[Case, dict[str, Any]], object],
) -> HttpResponse:
    """Validate a small form on the case page, run one service, and show the case again."""
    case = _case_or_404(request, case_id)
    form = make_form(case)
    if form.is_valid():
        try:
            act(case, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("casework:case_detail", case_id=case.pk)
    case.refresh_from_db()
    return render(request, "casework/case_detail.html", _detail_context(request, case, **{form_name: form}))


@office_required(Perm.ASSIGN_CASES)
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "assign_form",
        lambda case: AssignForm(request.POST, office=request.office),
        lambda case, data: services.case_assign(
            case=case, actor=request.user, assignee=data["assignee"], version=data["version"]
        ),
    )


@office_required(Perm.WORK_CASES)
@require_POST
def case_status(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "status_form",
        lambda case: StatusForm(request.POST),
        lambda case, data: services.case_set_status(
            case=case,
            actor=request.user,
            status=data["status"],
            version=data["version"],
        ),
    )


@office_required(Perm.WORK_CASES)
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "close_form",
        lambda case: CloseForm(request.POST),
        lambda case, data: services.case_close(
            case=case, actor=request.user, reason=data["close_reason"], version=data["version"]
        ),
    )


@office_required(Perm.WORK_CASES)
@require_POST
def case_tags(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "tags_form",
        lambda case: TagsForm(request.POST, office=request.office),
        lambda case, data: services.case_set_tags(case=case, actor=request.user, tags=data["tags"]),
    )


@office_required(Perm.LOG_CONTACT)
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "note_form",
        lambda case: NoteForm(request.POST),
        lambda case, data: services.case_add_note(case=case, actor=request.user, text=data["text"]),
    )


@office_required(Perm.WORK_CASES)
@require_POST
def case_document(request: HttpRequest, case_id: int) -> HttpResponse:
    def add(case: Case, data: dict[str, Any]) -> object:
        upload = data["file"]
        return services.case_add_document(
            case=case, actor=request.user, upload=upload, content_type=sniff_content_type(upload)
        )

    return _case_action(request, case_id, "document_form", lambda case: DocumentForm(request.POST, request.FILES), add)


@office_required(Perm.VIEW_CASES)
@require_GET
def document_download(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    case = _case_or_404(request, case_id)
    document = get_for_office_or_404(CaseDocument, request.office, pk=document_id, case=case)
    audit_view(request, document)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    # Always a download, never rendered: a stranger's file must not run in our origin.
    response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_required(Perm.VIEW_CASES)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query, shortened = case_search.clean_query(raw)
    results = case_search.search_all(request, raw)
    context = {"query": query, "shortened": shortened, "results": results, "max_length": case_search.MAX_QUERY_LENGTH}
    return render(request, "casework/search.html", context)


@office_required(Perm.WORK_CASES)
@require_POST
def case_participant_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "participant_form",
        lambda case: ParticipantForm(request.POST, case=case),
        lambda case, data: services.case_add_participant(case=case, actor=request.user, **data),
    )


@office_required(Perm.WORK_CASES)
@require_POST
def case_participant_remove(request: HttpRequest, case_id: int, participant_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    participant = get_for_office_or_404(CaseParticipant, request.office, pk=participant_id, case=case)
    services.case_remove_participant(participant=participant, actor=request.user)
    return redirect("casework:case_detail", case_id=case.pk)
