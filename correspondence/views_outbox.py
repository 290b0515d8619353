"""Outgoing email: replying from a case, the office's sending settings, and the outbox page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.models import Case
from casework.selectors import visible_case_or_404
from correspondence import letters, merge, outbox, replies
from correspondence.forms import ReplyForm, SendingIdentityForm
from correspondence.models import (
    BatchState,
    Direction,
    LetterTemplate,
    Message,
    OutboxBatch,
    OutboxStatus,
    OutgoingEmail,
)
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    return visible_case_or_404(office=request.office, membership=request.membership, case_id=case_id)


def _reply_initial(request: HttpRequest, case: Case) -> dict[str, object]:
    defaults = replies.reply_defaults(case)
    initial: dict[str, object] = {
        "to_email": defaults.to_email,
        "to_name": defaults.to_name,
        "subject": defaults.subject,
        "in_reply_to": defaults.in_reply_to.pk if defaults.in_reply_to else None,
        "token": uuid.uuid4(),
    }
    template = _chosen_template(request)
    if template is not None:
        fields = merge.merge_fields_for(office=request.office, case=case, sender=request.user)
        try:
            initial["text"] = merge.merge_render(template.body, fields)
        except merge.MergeError as error:
            messages.error(request, str(error))
    return initial


def _chosen_template(request: HttpRequest) -> LetterTemplate | None:
    chosen = request.GET.get("template", "")
    if not chosen.isdigit() or len(chosen) > 9:
        return None
    return letters.active_templates(request.office).filter(pk=int(chosen)).first()


def _parent(request: HttpRequest, case: Case, message_id: int | None) -> Message | None:
    if message_id is None:
        return None
    return Message.objects.for_office(request.office).filter(pk=message_id, case=case).first()


def _with_paragraph(request: HttpRequest, case: Case) -> ReplyForm:
    """Without JavaScript, "Insert" posts the form: the paragraph is added at the end, nothing sent."""
    data = request.POST.copy()
    choices = letters.paragraph_choices(office=request.office, actor=request.user, case=case)
    choice = next((c for c in choices if str(c.paragraph.pk) == data.get("insert") and not c.error), None)
    if choice is None:
        messages.error(request, "That paragraph is not available.")
    else:
        text = data.get("text", "").rstrip()
        data["text"] = f"{text}\n\n{choice.text}" if text else choice.text
    return ReplyForm(data)


def _reply_page(request: HttpRequest, case: Case, form: ReplyForm) -> HttpResponse:
    context = {
        "case": case,
        "form": form,
        "templates": letters.active_templates(request.office),
        "paragraphs": letters.paragraph_choices(office=request.office, actor=request.user, case=case),
    }
    return render(request, "correspondence/reply_form.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    if request.method == "POST" and request.POST.get("insert"):
        return _reply_page(request, case, _with_paragraph(request, case))
    form = ReplyForm(request.POST or None, initial=_reply_initial(request, case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            replies.reply_send(
                case=case,
                actor=request.user,
                to_email=data["to_email"],
                to_name=data["to_name"],
                subject=data["subject"],
                text=data["text"],
                in_reply_to=_parent(request, case, data["in_reply_to"]),
                idempotency_key=str(data["token"]),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Reply queued: it leaves in a moment. Its state shows on the case.")
            return redirect("casework:case_detail", case_id=case.pk)
    return _reply_page(request, case, form)


@office_required(Perm.WORK_CASES)
@require_POST
def reply_retry(request: HttpRequest, case_id: int, reply_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    message = get_for_office_or_404(
        Message.objects.for_office(request.office).filter(case=case, direction=Direction.OUTBOUND),
        request.office,
        pk=reply_id,
    )
    outgoing = OutgoingEmail.objects.for_office(request.office).filter(timeline_message=message).first()
    if outgoing is None:
        raise Http404
    _retry(request, outgoing)
    return redirect("casework:case_detail", case_id=case.pk)


def _retry(request: HttpRequest, outgoing: OutgoingEmail) -> None:
    try:
        outbox.outgoing_retry(outgoing=outgoing, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{outgoing.subject}” will be sent again.")


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def identity_edit(request: HttpRequest) -> HttpResponse:
    identity = outbox.identity_for(request.office)
    form = SendingIdentityForm(request.POST or None, instance=outbox.identity_for(request.office))
    if request.method == "POST" and form.is_valid():
        outbox.identity_update(
            identity=identity, actor=request.user, password=form.password_change(), **form.identity_values()
        )
        messages.success(request, "Sending settings saved. Send yourself a test email to check them.")
        return redirect("correspondence:identity_edit")
    return render(request, "correspondence/identity_form.html", {"form": form, "identity": identity})


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def identity_test(request: HttpRequest) -> HttpResponse:
    outbox.outbox_enqueue(
        office=request.office,
        draft=outbox.Draft(
            idempotency_key=f"test:{uuid.uuid4()}",
            to_email=request.user.email,
            to_name=request.user.full_name,
            subject="Test email from your casework system",
            text="This test shows that your office's sending settings work.",
        ),
        actor=request.user,
    )
    messages.success(request, f"A test email to {request.user.email} is in the outbox; its result shows below.")
    return redirect("correspondence:outbox")


@office_required(Perm.MANAGE_OFFICE)
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    rows = OutgoingEmail.objects.for_office(request.office)
    status = request.GET.get("status", "")
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    if status in OutboxStatus.values:
        rows = rows.filter(status=status)
    rows = rows.select_related("batch").defer("text", "html", "headers").order_by("-created_at", "-id")
    batches = list(OutboxBatch.objects.for_office(request.office).exclude(state=BatchState.CANCELLED)[:20])
    context = {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "status": status,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in OutboxStatus.choices],
        "batches": outbox.batches_with_progress(request.office, batches),
    }
    return render(request, "correspondence/outbox.html", context)


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def outbox_retry(request: HttpRequest, outgoing_id: int) -> HttpResponse:
    _retry(request, get_for_office_or_404(OutgoingEmail, request.office, pk=outgoing_id))
    return redirect("correspondence:outbox")


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def batch_state(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_for_office_or_404(OutboxBatch, request.office, pk=batch_id)
    state = request.POST.get("state", "")
    if state not in BatchState.values:
        messages.error(request, "Choose pause, resume or cancel.")
    else:
        try:
            outbox.batch_set_state(batch=batch, state=state, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{batch.label}”: {BatchState(state).label.lower()}.")
    return redirect("correspondence:outbox")
