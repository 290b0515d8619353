"""Message pages: the message with its safe HTML frame, filing and triage, and contacts logged by hand."""

from __future__ import annotations

import re
from typing import Any

import nh3
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.forms import CaseOpenForm
from casework.models import Case
from casework.selectors import active_tags, visible_cases
from casework.views.tags import tag_picker_context
from constituents import services as constituent_services
from constituents.forms import ConstituentForm
from constituents.models import Constituent
from correspondence import ingest, selectors, services
from correspondence.forms import BulkMessageForm, FileForm, LinkConstituentForm, LogForm, MessageFilterForm, TriageForm
from correspondence.models import Attachment, Message, ParseState, RawEmail
from correspondence.quoting import split_quoted
from security.audit import audit_view
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

# The framed email may style itself and show pictures it carries; it may load nothing else.
FRAME_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'"
FRAME_CSP_WITH_IMAGES = FRAME_CSP.replace("img-src data:", "img-src data: https:")


def _message_or_404(request: HttpRequest, message_id: int) -> Message:
    """Another office's message, and one filed to a restricted case this member may not see, are 404."""
    found = selectors.visible_messages(office=request.office, membership=request.membership)
    return get_for_office_or_404(
        found.select_related("case", "constituent", "logged_by"), request.office, pk=message_id
    )


def _cases(request: HttpRequest) -> Any:
    return visible_cases(office=request.office, membership=request.membership)


def _detail_context(request: HttpRequest, message: Message, **forms: Any) -> dict[str, Any]:
    office, membership = request.office, request.membership
    suggested = None
    if message.constituent_id is None:
        suggested = selectors.suggested_constituents(office=office, messages=[message]).get(message.pk)
    person = message.constituent or suggested
    open_cases = selectors.open_cases_of(office=office, membership=membership, constituent=person)
    new_text, quoted = split_quoted(message.text)
    return {
        "message": message,
        "suggested": suggested,
        "new_text": new_text,
        "quoted": quoted,
        "attachments": message.attachments.all(),
        "open_cases": open_cases,
        "images": request.GET.get("images") == "1",
        "has_remote_images": "data-remote-src" in message.html,
        "can_work": membership.allows(Perm.WORK_CASES),
        # Managers may download the raw email (audited): where a too-large attachment is kept.
        "can_download_raw": membership.allows(Perm.MANAGE_OFFICE),
        "file_form": forms.get("file_form") or FileForm(cases=_cases(request), suggested=open_cases),
        "triage_form": forms.get("triage_form") or TriageForm(),
        "link_form": forms.get("link_form"),
    }


@office_required(Perm.VIEW_CASES)
@require_GET
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message_or_404(request, message_id)
    audit_view(request, message)
    return render(request, "correspondence/message_detail.html", _detail_context(request, message))


@office_required(Perm.VIEW_CASES)
@require_GET
@xframe_options_sameorigin
def message_html(request: HttpRequest, message_id: int) -> HttpResponse:
    """The sanitised HTML alone, for the sandboxed frame on the message page; never shown in our origin."""
    message = _message_or_404(request, message_id)
    audit_view(request, message)
    page = _framed_page(message.html, images=request.GET.get("images") == "1")
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = FRAME_CSP_WITH_IMAGES if request.GET.get("images") == "1" else FRAME_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


# Ingestion keeps a remote image's address in data-remote-src (a tracking beacon until asked for).
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "img": {"alt", "width", "height", "data-remote-src"}}
_REMOTE_SRC = re.compile(r'<img([^>]*?) data-remote-src="(https://[^"]*)"')


def _framed_page(html: str, *, images: bool) -> str:
    # Sanitised at ingestion; cleaned again here so a row written any other way is safe too.
    body = nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"}) if html else ""
    if images:
        body = _REMOTE_SRC.sub(r'<img\1 src="\2"', body)
    return f'<!doctype html><html><head><meta charset="utf-8"><title>Message</title></head><body>{body}</body></html>'


@office_required(Perm.VIEW_CASES)
@require_GET
def attachment_download(request: HttpRequest, message_id: int, attachment_id: int) -> FileResponse:
    message = _message_or_404(request, message_id)
    attachment = get_for_office_or_404(Attachment, request.office, pk=attachment_id, message=message)
    if attachment.too_large:
        raise Http404("This attachment was too large to extract; it is kept in the raw email.")
    audit_view(request, attachment)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage.") from None
    # Always a download, never rendered: a stranger's file must not run in our origin.
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name or "attachment", content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _after_action(request: HttpRequest, message: Message) -> HttpResponse:
    """Back to the list the caseworker came from, or to the message."""
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("correspondence:message_detail", message_id=message.pk)


def _message_action(request: HttpRequest, message_id: int, form_name: str, form_class: Any, act: Any) -> HttpResponse:
    message = _message_or_404(request, message_id)
    context = _detail_context(request, message)
    form = (
        form_class(request.POST, cases=_cases(request), suggested=context["open_cases"])
        if form_class is FileForm
        else form_class(request.POST)
    )
    if form.is_valid():
        try:
            done = act(message, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return _after_action(request, message)
    context[form_name] = form
    return render(request, "correspondence/message_detail.html", context, status=200)


@office_required(Perm.WORK_CASES)
@require_POST
def message_file(request: HttpRequest, message_id: int) -> HttpResponse:
    def act(message: Message, data: dict[str, Any]) -> str:
        services.message_file(message=message, case=data["case"], actor=request.user)
        return f"Filed to {data['case'].reference}."

    return _message_action(request, message_id, "file_form", FileForm, act)


@office_required(Perm.WORK_CASES)
@require_POST
def message_triage(request: HttpRequest, message_id: int) -> HttpResponse:
    def act(message: Message, data: dict[str, Any]) -> str:
        services.message_set_triage(message=message, actor=request.user, state=data["state"])
        return f"Marked as {message.get_triage_state_display().lower()}."

    return _message_action(request, message_id, "triage_form", TriageForm, act)


@office_required(Perm.WORK_CASES)
@require_POST
def message_link_constituent(request: HttpRequest, message_id: int) -> HttpResponse:
    def act(message: Message, data: dict[str, Any]) -> str:
        constituent = Constituent.objects.for_office(request.office).filter(pk=data["constituent"]).first()
        if constituent is None:
            raise DomainError("That constituent is not on record.")
        services.message_link_constituent(message=message, constituent=constituent, actor=request.user)
        return f"Linked to {constituent.full_name}."

    return _message_action(request, message_id, "link_form", LinkConstituentForm, act)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def message_open_case(request: HttpRequest, message_id: int) -> HttpResponse:
    """Open a case from the message: for its constituent, someone found, or someone added here."""
    message = _message_or_404(request, message_id)
    suggested = selectors.suggested_constituents(office=request.office, messages=[message]).get(message.pk)
    known = message.constituent or suggested
    new_person = request.POST.get("constituent_mode") == "new"
    initial = {"summary": message.subject[:200], "constituent": known.pk if known else None}
    bound = request.POST if request.method == "POST" else None
    form = CaseOpenForm(bound, office=request.office, initial=initial, new_constituent=new_person)
    person_form = ConstituentForm(
        request.POST if new_person else None, office=request.office, prefix="new", initial=_person_initial(message)
    )
    if request.method == "POST" and form.is_valid() and (not new_person or person_form.is_valid()):
        try:
            case = _open_case(request, message, form.cleaned_data, person_form if new_person else None)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Case {case.reference} opened and the message filed to it.")
            return redirect("casework:case_detail", case_id=case.pk)
    chosen = form.cleaned_data.get("constituent") if form.is_bound else known
    context = {"message": message, "form": form, "person_form": person_form, "new_person": new_person}
    context["chosen"] = chosen if not new_person else None
    context |= tag_picker_context(active_tags(office=request.office), [str(v) for v in form["tags"].value() or []])
    return render(request, "correspondence/message_open_case.html", context)


def _person_initial(message: Message) -> dict[str, str]:
    first, _, last = message.sender_name.strip().rpartition(" ")
    return {"first_name": first[:100], "last_name": last[:100], "email": message.sender_email}


@transaction.atomic
def _open_case(request: HttpRequest, message: Message, data: dict[str, Any], person_form: Any) -> Case:
    data = dict(data)
    constituent = data.pop("constituent", None)
    if person_form is not None:
        constituent = constituent_services.constituent_create(
            office=request.office, actor=request.user, **person_form.create_kwargs()
        )
    return services.message_open_case(message=message, actor=request.user, constituent=constituent, **data)


@office_required(Perm.LOG_CONTACT)
@require_http_methods(["GET", "POST"])
def message_log(request: HttpRequest) -> HttpResponse:
    """Log a letter, phone call, social-media message or visit by hand."""
    initial = _log_initial(request)
    bound = request.POST if request.method == "POST" else None
    form = LogForm(bound, request.FILES if bound is not None else None, office=request.office, cases=_cases(request))
    form.initial |= initial
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        constituent = None
        if data.get("constituent"):
            constituent = Constituent.objects.for_office(request.office).filter(pk=data["constituent"]).first()
        try:
            message = services.message_log(
                office=request.office,
                actor=request.user,
                channel=data["channel"],
                direction=data["direction"],
                subject=data["subject"],
                text=data["text"],
                occurred_at=data["occurred_at"],
                case=data.get("case"),
                constituent=constituent,
                scan=data.get("scan"),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Logged.")
            if message.case_id:
                return redirect("casework:case_detail", case_id=message.case_id)
            return redirect("correspondence:message_detail", message_id=message.pk)
    return render(request, "correspondence/message_log.html", {"form": form, **_log_subject(request, form)})


def _log_initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    case_id, constituent_id = request.GET.get("case", ""), request.GET.get("constituent", "")
    if case_id.isdigit():
        case = _cases(request).filter(pk=case_id).first()
        if case is not None:
            initial["reference"] = case.reference
    if constituent_id.isdigit():
        initial["constituent"] = constituent_id
    return initial


def _log_subject(request: HttpRequest, form: LogForm) -> dict[str, Any]:
    """Whom the contact is with, when the page was opened from a constituent."""
    raw = form["constituent"].value()
    if raw and str(raw).isdigit():
        return {"constituent": Constituent.objects.for_office(request.office).filter(pk=raw).first()}
    return {"constituent": None}


# --- The list of messages, with bulk triage -----------------------------------------------------
PAGE_SIZE = 50
_BULK_VERBS = {"no_action": "Marked {n} as no action needed.", "spam": "Marked {n} as spam.", "file": "Filed {n}."}


def _list_context(request: HttpRequest, params: Any) -> dict[str, Any]:
    office, membership = request.office, request.membership
    form = MessageFilterForm(params)
    form.is_valid()
    filters = form.cleaned_data  # a bad value in one filter leaves out that filter only
    found = selectors.message_list(office=office, membership=membership, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = selectors.with_suggestions(office=office, messages=page.object_list)
    return {
        "form": form,
        "page": page,
        "filter_query": urlencode(_filters_of(params)),
        "can_work": membership.allows(Perm.WORK_CASES),
        "can_log": membership.allows(Perm.LOG_CONTACT),
    }


@office_required(Perm.VIEW_CASES)
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    if request.htmx and request.htmx.target == "message-queue":
        return render(request, "correspondence/_message_queue.html", context)
    return render(request, "correspondence/message_list.html", context)


@office_required(Perm.WORK_CASES)
@require_POST
def message_bulk(request: HttpRequest) -> HttpResponse:
    """No action, spam or file the ticked messages, each through the same service as one message."""
    form = BulkMessageForm(request.POST, cases=_cases(request), prefix="bulk")
    if form.is_valid():
        _bulk_apply(request, form.cleaned_data)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if not request.htmx:
        return redirect(f"{reverse('correspondence:message_list')}?{urlencode(_filters_of(request.POST))}")
    # The filters travel with the POST (hx-include), so the list comes back as it was.
    return render(request, "correspondence/_message_queue.html", _list_context(request, request.POST))


def _filters_of(params: Any) -> dict[str, str]:
    return {key: params.get(key) for key in ("state", "channel", "direction") if params.get(key)}


def _bulk_apply(request: HttpRequest, data: dict[str, Any]) -> None:
    chosen = selectors.visible_messages(office=request.office, membership=request.membership).filter(
        pk__in=data["messages"]
    )
    done, refused = 0, []
    for message in chosen.select_related("case"):
        try:
            with transaction.atomic():
                if data["action"] == "file":
                    services.message_file(message=message, case=data["case"], actor=request.user)
                else:
                    services.message_set_triage(message=message, actor=request.user, state=data["action"])
        except DomainError as error:
            refused.append(f"“{message.subject or message.pk}”: {error}")
        else:
            done += 1
    messages.success(request, _BULK_VERBS[data["action"]].format(n=f"{done} message{'s' if done != 1 else ''}"))
    for reason in refused:
        messages.error(request, reason)


# --- Quarantine (managers) ----------------------------------------------------------------------
def _raw_or_404(request: HttpRequest, raw_email_id: int) -> RawEmail:
    return get_for_office_or_404(
        RawEmail.objects.for_office(request.office).defer("raw"), request.office, pk=raw_email_id
    )


@office_required(Perm.MANAGE_OFFICE)
@require_GET
def quarantine(request: HttpRequest) -> HttpResponse:
    """Raw email that could not be parsed, or was kept raw for its size: with a re-parse action."""
    rows = (
        RawEmail.objects.for_office(request.office)
        .filter(parse_state__in=[ParseState.QUARANTINED, ParseState.OVERSIZE])
        .defer("raw")
        .select_related("message")
        .order_by("-received_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "correspondence/quarantine.html", {"page": page, "quarantined": ParseState.QUARANTINED})


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def quarantine_reparse(request: HttpRequest, raw_email_id: int) -> HttpResponse:
    raw = _raw_or_404(request, raw_email_id)
    try:
        ingest.raw_reparse(raw=raw, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Raw email {raw.pk} will be parsed again.")
    return redirect("correspondence:quarantine")


@office_required(Perm.MANAGE_OFFICE)
@require_GET
def quarantine_raw(request: HttpRequest, raw_email_id: int) -> HttpResponse:
    """The bytes exactly as received, as a download: never rendered in our origin."""
    raw = get_for_office_or_404(RawEmail, request.office, pk=raw_email_id)
    audit_view(request, raw, verb="correspondence.raw_email.downloaded")
    response = HttpResponse(bytes(raw.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="raw-email-{raw.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
