"""The manager's mailbox pages: list with status, add, edit, test, poll now, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from correspondence import mailboxes
from correspondence.forms import MailboxForm
from correspondence.models import Mailbox
from security.decorators import office_required
from security.roles import Perm
from security.scoping import get_for_office_or_404


@office_required(Perm.MANAGE_OFFICE)
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    rows = Mailbox.objects.for_office(request.office).order_by("name", "pk")
    return render(request, "correspondence/mailbox_list.html", {"mailboxes": rows})


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def mailbox_add(request: HttpRequest) -> HttpResponse:
    form = MailboxForm(request.POST or None, instance=Mailbox(office=request.office))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secrets = {name: data.pop(name) for name in MailboxForm.SECRET_FIELDS}
        mailbox = mailboxes.mailbox_create(office=request.office, actor=request.user, **secrets, **data)
        messages.success(request, f"Added mailbox “{mailbox.name}”. Test the connection next.")
        return redirect("correspondence:mailbox_list")
    return render(request, "correspondence/mailbox_form.html", {"form": form, "mailbox": None})


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_for_office_or_404(Mailbox, request.office, pk=mailbox_id)
    # The form works on a copy: the service compares against the row as stored.
    form = MailboxForm(request.POST or None, instance=get_for_office_or_404(Mailbox, request.office, pk=mailbox_id))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secrets = {name: data.pop(name) for name in MailboxForm.SECRET_FIELDS}
        mailboxes.mailbox_update(mailbox=mailbox, actor=request.user, **secrets, **data)
        messages.success(request, "Mailbox saved.")
        return redirect("correspondence:mailbox_list")
    return render(request, "correspondence/mailbox_form.html", {"form": form, "mailbox": mailbox})


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def mailbox_test(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_for_office_or_404(Mailbox, request.office, pk=mailbox_id)
    error = mailboxes.mailbox_test(mailbox=mailbox, actor=request.user)
    if error:
        messages.error(request, f"“{mailbox.name}”: could not connect — {error}")
    else:
        messages.success(request, f"“{mailbox.name}”: connected and logged in.")
    return redirect("correspondence:mailbox_list")


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def mailbox_poll(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_for_office_or_404(Mailbox, request.office, pk=mailbox_id)
    result = mailboxes.mailbox_poll_now(mailbox=mailbox, actor=request.user)
    if result.skipped:
        messages.info(request, f"“{mailbox.name}” is being polled right now; try again in a moment.")
    elif result.ok:
        messages.success(request, f"“{mailbox.name}”: {result.stored} new message(s) stored.")
    else:
        messages.error(request, f"“{mailbox.name}”: polling failed — {result.error}")
    return redirect("correspondence:mailbox_list")


@office_required(Perm.MANAGE_OFFICE)
@require_POST
def mailbox_deactivate(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    mailbox = get_for_office_or_404(Mailbox, request.office, pk=mailbox_id)
    mailboxes.mailbox_deactivate(mailbox=mailbox, actor=request.user)
    messages.success(request, f"“{mailbox.name}” will no longer be polled.")
    return redirect("correspondence:mailbox_list")
