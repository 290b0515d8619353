"""Writing a letter on a case: start from a template, insert paragraphs, preview, save.

The letter is kept as an outgoing message with its PDF (``letters.letter_create``). The
paragraph picker is a partial of its own (``paragraph_picker``) so the email reply form can
use it too: ``hx-get`` it with ``case`` and ``target`` (the id of the textarea to insert into),
or ask for ``format=json``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.models import Case, CaseStatus
from casework.selectors import visible_case_or_404, visible_cases
from constituents.models import Organisation
from correspondence import letters
from correspondence.forms_letters import LetterForm, LetterStartForm
from correspondence.letter_layout import LetterContent, letter_pdf, letter_sheet_html
from correspondence.merge import FIELD, MergeError
from correspondence.models import Addressee
from mpoffice.lib.sniff import sniff_bytes
from security.audit import audit_view
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm

_TARGET = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    return visible_case_or_404(office=request.office, membership=request.membership, case_id=case_id)


def _initial(request: HttpRequest, case: Case, start: LetterStartForm) -> tuple[dict[str, Any], str]:
    """The first draft from the chosen template and addressee, or why there is none."""
    data = start.cleaned_data if start.is_valid() else {}
    try:
        draft = letters.letter_start(
            case=case,
            actor=request.user,
            template=data.get("template"),
            addressee=data.get("addressee") or Addressee.CONSTITUENT,
            organisation=data.get("organisation"),
        )
    except MergeError as error:
        return {}, f"The template cannot be used until it is corrected. {error}"
    initial = {
        "addressee": draft.addressee,
        "organisation": draft.organisation.pk if draft.organisation else None,
        "address": draft.address,
        "subject": draft.subject,
        "body": draft.body,
    }
    return initial, ""


def _editor(request: HttpRequest, case: Case, form: LetterForm, start: LetterStartForm, **extra: Any) -> HttpResponse:
    organisation_id = str(form["organisation"].value() or "")
    context = {
        "case": case,
        "form": form,
        "start": start,
        "organisation": Organisation.objects.for_office(request.office).filter(pk=organisation_id).first()
        if organisation_id.isdigit()
        else None,
        "paragraphs": letters.paragraph_choices(office=request.office, actor=request.user, case=case),
        "picker_target": "id_body",
        **extra,
    }
    return render(request, "correspondence/letters/editor.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    if case.status == CaseStatus.CLOSED:
        messages.error(request, f"Case {case.reference} is closed: reopen it to write a letter.")
        return redirect("casework:case_detail", case_id=case.pk)
    audit_view(request, case)
    start = LetterStartForm(request.GET or None, office=request.office)
    if request.method == "GET":
        initial, problem = _initial(request, case, start)
        form = LetterForm(office=request.office, initial=initial)
        return _editor(request, case, form, start, problem=problem)
    form = LetterForm(request.POST, office=request.office)
    if request.POST.get("insert"):
        return _insert_paragraph(request, case, start)
    if form.is_valid():
        data = form.cleaned_data
        try:
            letter = letters.letter_create(
                case=case,
                actor=request.user,
                addressee=data["addressee"],
                organisation=data.get("organisation"),
                address=data["address"],
                their_reference=data["their_reference"],
                subject=data["subject"],
                body=data["body"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Letter saved on {case.reference}: “{letter.subject}”, with its PDF.")
            return redirect("casework:case_detail", case_id=case.pk)
    return _editor(request, case, form, start)


def _insert_paragraph(request: HttpRequest, case: Case, start: LetterStartForm) -> HttpResponse:
    """Without JavaScript, "Insert" posts the form: the paragraph is added at the end, nothing saved."""
    data = request.POST.copy()
    chosen = {
        c.paragraph.pk: c for c in letters.paragraph_choices(office=request.office, actor=request.user, case=case)
    }
    choice = chosen.get(int(data["insert"])) if data["insert"].isdigit() else None
    if choice is None or choice.error:
        messages.error(request, choice.error if choice else "That paragraph is not available.")
    else:
        body = data.get("body", "").rstrip()
        data["body"] = f"{body}\n\n{choice.text}" if body else choice.text
    return _editor(request, case, LetterForm(data, office=request.office), start)


def _content(request: HttpRequest, case: Case, form: LetterForm) -> LetterContent | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return letters.letter_content(
            case=case, address=data["address"], body=data["body"], their_reference=data["their_reference"]
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return None


@office_required(Perm.WORK_CASES)
@require_POST
def letter_preview(request: HttpRequest, case_id: int) -> HttpResponse:
    """The letter as it will print: on screen (htmx, into the editor), or as the PDF itself."""
    case = _case_or_404(request, case_id)
    audit_view(request, case)
    form = LetterForm(request.POST, office=request.office)
    content = _content(request, case, form)
    letterhead = letters.letterhead_get(request.office)
    if content is not None and request.POST.get("format") == "pdf":
        return pdf_response(letter_pdf(content, letterhead).pdf, "letter-preview.pdf")
    preview = {
        "sheet": _sheet(content, letterhead) if content is not None else "",
        "leftover": sorted({m.group(0) for m in FIELD.finditer(content.body)}) if content else [],
        "form": form,
    }
    if request.htmx:
        return render(request, "correspondence/letters/_preview.html", preview)
    start = LetterStartForm(office=request.office)
    return _editor(request, case, form, start, preview=preview)


def pdf_response(pdf: bytes, filename: str) -> FileResponse:
    """Our own PDF, shown in the browser's viewer; never cached (it holds personal data)."""
    response = FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sheet(content: LetterContent, letterhead: Any) -> str:
    return letter_sheet_html(
        content,
        letterhead,
        logo_url=reverse("correspondence:letterhead_logo"),
        signature_url=reverse("correspondence:letterhead_signature"),
    )


@office_required(Perm.WORK_CASES)
@require_GET
def paragraph_picker(request: HttpRequest) -> HttpResponse:
    """Standard paragraphs merged for a case, as an htmx partial (or ``format=json``).

    ``q`` filters by title, category or shortcut; ``target`` is the id of the textarea the
    partial's buttons insert into.
    """
    case = None
    case_id = request.GET.get("case", "")
    if case_id.isdigit() and len(case_id) < 19:
        found = visible_cases(office=request.office, membership=request.membership).select_related("constituent")
        case = found.filter(pk=case_id).first()
        if case is not None:
            audit_view(request, case)  # its constituent's details are merged into the paragraphs
    query = request.GET.get("q", "")[:100]
    target = request.GET.get("target", "")
    target = target if _TARGET.match(target) else "id_body"
    choices = letters.paragraph_choices(office=request.office, actor=request.user, case=case, query=query)
    if request.GET.get("format") == "json":
        rows = [
            {
                "id": c.paragraph.pk,
                "title": c.paragraph.title,
                "category": c.paragraph.category,
                "shortcut": c.paragraph.shortcut,
                "text": c.text,
                "error": c.error,
            }
            for c in choices
        ]
        return JsonResponse({"paragraphs": rows})
    context = {"paragraphs": choices, "picker_target": target, "query": query, "case": case}
    return render(request, "correspondence/letters/_paragraph_list.html", context)


def _letterhead_image(request: HttpRequest, kind: str) -> FileResponse:
    letterhead = letters.letterhead_get(request.office)
    stored = getattr(letterhead, kind)
    if not stored:
        raise Http404("No picture.")
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The picture is missing from storage.") from None
    content_type = sniff_bytes(handle.read(16))
    handle.seek(0)
    if content_type not in ("image/png", "image/jpeg"):
        handle.close()
        raise Http404("Not a picture.")
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


@office_required(Perm.VIEW_CASES)
@require_GET
def letterhead_logo(request: HttpRequest) -> FileResponse:
    """The office's letterhead logo, for the previews (the PDF reads it from storage itself)."""
    return _letterhead_image(request, "logo")


@office_required(Perm.VIEW_CASES)
@require_GET
def letterhead_signature(request: HttpRequest) -> FileResponse:
    return _letterhead_image(request, "signature")
