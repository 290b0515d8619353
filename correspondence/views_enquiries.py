"""Third-party enquiries in the browser: on the case, the chases page, agency responsiveness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.models import Case
from casework.selectors import visible_case_or_404
from correspondence import digests, enquiries
from correspondence import enquiry_selectors as selectors
from correspondence.forms import (
    AnswerForm,
    ChaserForm,
    DueDateForm,
    EnquiryForm,
    EnquirySettingsForm,
    HoldingReplyForm,
    WithdrawForm,
)
from correspondence.models import DigestOptOut, Enquiry, EnquiryStep, StepKind
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    return visible_case_or_404(office=request.office, membership=request.membership, case_id=case_id)


def _enquiry_or_404(request: HttpRequest, case: Case, enquiry_id: int) -> Enquiry:
    rows = Enquiry.objects.for_office(request.office).filter(case=case).select_related("organisation", "case")
    return get_for_office_or_404(rows, request.office, pk=enquiry_id)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def enquiry_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    initial = {"sent_on": timezone.localdate(), "sent_via": "email"}
    form = EnquiryForm(request.POST or None, office=request.office, initial=initial)
    if request.method == "POST" and form.is_valid():
        new = enquiries.NewEnquiry(**form.cleaned_data)
        try:
            enquiry = enquiries.enquiry_create(case=case, actor=request.user, new=new)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Enquiry to {enquiry.organisation.name} recorded: due {enquiry.due_on:%d %b %Y}."
            )
            for missing in enquiries.missing_requirements(enquiry):
                messages.warning(request, f"{enquiry.organisation.name} usually needs: {missing}.")
            return redirect("casework:case_detail", case_id=case.pk)
    return render(request, "correspondence/enquiry_form.html", {"case": case, "form": form})


def _detail_context(request: HttpRequest, enquiry: Enquiry, **forms: Any) -> dict[str, Any]:
    return {
        "case": enquiry.case,
        "enquiry": enquiry,
        "missing": enquiries.missing_requirements(enquiry),
        "steps": enquiry.steps.select_related("actor", "sent_message"),
        "chasers": selectors.unsent_chasers(enquiry=enquiry),
        "holding_form": forms.get("holding_form") or HoldingReplyForm(),
        "answer_form": forms.get("answer_form") or AnswerForm(replies=selectors.replies_for(enquiry=enquiry)),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "due_form": forms.get("due_form") or DueDateForm(),
        "today": timezone.localdate(),
    }


@office_required(Perm.VIEW_CASES)
@require_GET
def enquiry_detail(request: HttpRequest, case_id: int, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, _case_or_404(request, case_id), enquiry_id)
    return render(request, "correspondence/enquiry_detail.html", _detail_context(request, enquiry))


# One view per lifecycle action: each validates its own form and calls its service.
_ACTIONS = {
    "holding": ("holding_form", HoldingReplyForm),
    "answer": ("answer_form", AnswerForm),
    "withdraw": ("withdraw_form", WithdrawForm),
    "due": ("due_form", DueDateForm),
}


def _act(request: HttpRequest, enquiry: Enquiry, action: str, data: dict[str, Any]) -> str:
    if action == "holding":
        found = enquiries.enquiry_holding_reply(enquiry=enquiry, actor=request.user, **data)
        return f"Holding reply recorded: now due {found.due_on:%d %b %Y}."
    if action == "answer":
        enquiries.enquiry_answer(enquiry=enquiry, actor=request.user, message=data["message"])
        return "Marked answered. The case is open again if nothing else is awaited."
    if action == "withdraw":
        enquiries.enquiry_withdraw(enquiry=enquiry, actor=request.user, reason=data["reason"])
        return "Enquiry withdrawn."
    found = enquiries.enquiry_change_due(enquiry=enquiry, actor=request.user, **data)
    return f"Now due {found.due_on:%d %b %Y}."


@office_required(Perm.WORK_CASES)
@require_POST
def enquiry_action(request: HttpRequest, case_id: int, enquiry_id: int, action: str) -> HttpResponse:
    enquiry = _enquiry_or_404(request, _case_or_404(request, case_id), enquiry_id)
    name, form_class = _ACTIONS[action]
    extra = {"replies": selectors.replies_for(enquiry=enquiry)} if action == "answer" else {}
    form = form_class(request.POST, **extra)
    if form.is_valid():
        try:
            messages.success(request, _act(request, enquiry, action, form.cleaned_data))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("correspondence:enquiry_detail", case_id=case_id, enquiry_id=enquiry.pk)
    context = _detail_context(request, enquiry, **{name: form})
    return render(request, "correspondence/enquiry_detail.html", context)


@office_required(Perm.WORK_CASES)
@require_http_methods(["GET", "POST"])
def chaser_send(request: HttpRequest, case_id: int, enquiry_id: int, step_id: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, _case_or_404(request, case_id), enquiry_id)
    step = get_for_office_or_404(
        EnquiryStep.objects.for_office(request.office).filter(enquiry=enquiry, kind=StepKind.CHASER_DRAFTED),
        request.office,
        pk=step_id,
    )
    subject, text = enquiries.chaser_draft(step)
    initial = {"subject": subject, "text": text}
    form = ChaserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = enquiries.chaser_send(step=step, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            how = "is in the outbox" if message.channel == "email" else "is recorded: print and post it"
            messages.success(request, f"The chaser {how}. New due date set.")
            return redirect("casework:case_detail", case_id=case_id)
    return render(request, "correspondence/chaser_form.html", {"enquiry": enquiry, "step": step, "form": form})


@office_required(Perm.VIEW_CASES)
@require_GET
def chases_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "chases": selectors.chases(office=request.office, membership=request.membership, today=today),
        "today": today,
        "opted_out": DigestOptOut.objects.for_office(request.office).filter(user=request.user).exists(),
    }
    return render(request, "correspondence/chases.html", context)


@office_required(Perm.VIEW_CASES)
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    opt_out = request.POST.get("digest") == "off"
    digests.digest_opt_out(office=request.office, user=request.user, opt_out=opt_out)
    messages.success(request, "You will not get the daily email." if opt_out else "You will get the daily email.")
    return redirect("correspondence:chases")


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return today - dt.timedelta(days=365), today, ""
    if end < start:
        return (
            today - dt.timedelta(days=365),
            today,
            "The end of the period is before its start: showing the last year.",
        )
    return start, end, ""


@office_required(Perm.VIEW_CASES)
@require_GET
def responsiveness(request: HttpRequest) -> HttpResponse:
    start, end, error = _period(request)
    rows = selectors.responsiveness(office=request.office, start=start, end=end)
    context = {"rows": rows, "start": start, "end": end, "error": error}
    return render(request, "correspondence/responsiveness.html", context)


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def enquiry_settings(request: HttpRequest) -> HttpResponse:
    rules = enquiries.settings_for(request.office)
    form = EnquirySettingsForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in EnquirySettingsForm.Meta.fields}
        enquiries.enquiry_settings_update(
            rules=rules, actor=request.user, ladder=form.cleaned_data["ladder_text"], **values
        )
        messages.success(request, "Chasing settings saved. They apply to each enquiry's next step.")
        return redirect("correspondence:enquiry_settings")
    return render(request, "correspondence/enquiry_settings.html", {"form": form})
