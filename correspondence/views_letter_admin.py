"""The manager's letter pages: letter templates, standard paragraphs and the letterhead."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from correspondence import letters
from correspondence.forms_letters import LetterheadForm, LetterTemplateForm, StandardParagraphForm
from correspondence.letter_layout import LetterContent, letter_pdf
from correspondence.merge import MERGE_FIELDS, merge_fields_for, merge_render
from correspondence.models import LetterTemplate, StandardParagraph
from correspondence.views_letters import pdf_response
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 100


def _form_page(request: HttpRequest, template: str, form: Any, row: Any) -> HttpResponse:
    return render(request, template, {"form": form, "row": row, "merge_fields": MERGE_FIELDS})


# --- Letter templates --------------------------------------------------------------------------
@office_required(Perm.MANAGE_OFFICE)
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    rows = LetterTemplate.objects.for_office(request.office).defer("body").order_by("-is_active", "name", "id")
    return render(request, "correspondence/letters/template_list.html", {"templates": rows[:PAGE_SIZE]})


def _template_form(request: HttpRequest, row: LetterTemplate | None) -> HttpResponse:
    # The form validates into a copy: the service compares the values with the row as stored.
    copy = LetterTemplate.objects.for_office(request.office).get(pk=row.pk) if row else None
    form = LetterTemplateForm(request.POST or None, instance=copy or LetterTemplate(office=request.office))
    if request.method == "POST" and form.is_valid():
        try:
            saved = letters.template_save(office=request.office, actor=request.user, template=row, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Template “{saved.name}” saved.")
            return redirect("correspondence:letter_template_list")
    return _form_page(request, "correspondence/letters/template_form.html", form, row)


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def template_add(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    return _template_form(request, get_for_office_or_404(LetterTemplate, request.office, pk=template_id))


# --- Standard paragraphs -----------------------------------------------------------------------
@office_required(Perm.MANAGE_OFFICE)
@require_GET
def paragraph_list(request: HttpRequest) -> HttpResponse:
    rows = StandardParagraph.objects.for_office(request.office).order_by("-is_active", "category", "title", "id")
    return render(request, "correspondence/letters/paragraph_list.html", {"paragraphs": rows[: PAGE_SIZE * 3]})


def _paragraph_form(request: HttpRequest, row: StandardParagraph | None) -> HttpResponse:
    copy = StandardParagraph.objects.for_office(request.office).get(pk=row.pk) if row else None
    form = StandardParagraphForm(request.POST or None, instance=copy or StandardParagraph(office=request.office))
    if request.method == "POST" and form.is_valid():
        try:
            saved = letters.paragraph_save(
                office=request.office, actor=request.user, paragraph=row, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Paragraph “{saved.title}” saved.")
            return redirect("correspondence:paragraph_list")
    return _form_page(request, "correspondence/letters/paragraph_form.html", form, row)


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def paragraph_add(request: HttpRequest) -> HttpResponse:
    return _paragraph_form(request, None)


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def paragraph_edit(request: HttpRequest, paragraph_id: int) -> HttpResponse:
    return _paragraph_form(request, get_for_office_or_404(StandardParagraph, request.office, pk=paragraph_id))


# --- Letterhead --------------------------------------------------------------------------------
@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def letterhead_edit(request: HttpRequest) -> HttpResponse:
    current = letters.letterhead_get(request.office)
    bound = request.POST if request.method == "POST" else None
    form = LetterheadForm(bound, request.FILES if bound is not None else None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letters.letterhead_save(
                office=request.office,
                actor=request.user,
                values=form.values(),
                logo=data.get("logo"),
                signature=data.get("signature"),
                remove_logo=data["remove_logo"],
                remove_signature=data["remove_signature"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Letterhead saved. Open the sample letter to check it.")
            return redirect("correspondence:letterhead_edit")
    letterhead = letters.letterhead_get(request.office)
    return render(request, "correspondence/letters/letterhead_form.html", {"form": form, "letterhead": letterhead})


SAMPLE_BODY = "\n\n".join(
    [
        "Dear {{ constituent.salutation }},",
        "Thank you for contacting me about {{ case.summary }}. This sample shows how the office's letters "
        "look on the letterhead: the address sits in the window of a DL envelope when the page is folded in "
        "three.",
        "I have written to the organisation concerned on your behalf and will be in touch as soon as I hear from them.",
        "Yours sincerely,",
    ]
)


@office_required(Perm.MANAGE_OFFICE)
@require_GET
def letterhead_sample(request: HttpRequest) -> FileResponse:
    """A sample letter on the letterhead as it stands, with example values, as a PDF."""
    letterhead = letters.letterhead_get(request.office)
    fields = merge_fields_for(office=request.office, letterhead=letterhead, sender=request.user)
    fields |= {field.name: field.example for field in MERGE_FIELDS if field.name.startswith(("constituent.", "case."))}
    content = LetterContent(
        address="Ms Priya Sharma\n12 Mill Lane\nNorthtown\nNT1 1AB",
        body=merge_render(SAMPLE_BODY, fields),
        date=timezone.localdate(),
        our_reference=fields["case.reference"],
    )
    return pdf_response(letter_pdf(content, letterhead).pdf, "sample-letter.pdf")
