"""A constituent's emails and phone numbers: add, remove, choose the preferred one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from constituents import services
from constituents.forms import EmailAddForm, PhoneAddForm
from constituents.models import ConstituentEmail, ConstituentPhone
from constituents.views.constituents import constituent_or_404, render_detail
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404


@office_required(Perm.LOG_CONTACT)
@require_POST
def email_add(request: HttpRequest, constituent_id: int) -> HttpResponse:
    constituent = constituent_or_404(request, constituent_id)
    form = EmailAddForm(request.POST)
    if form.is_valid():
        try:
            services.constituent_email_add(constituent=constituent, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Email address added.")
            return redirect("constituents:detail", constituent_id=constituent.pk)
    return render_detail(request, constituent.pk, email_form=form)


@office_required(Perm.LOG_CONTACT)
@require_POST
def phone_add(request: HttpRequest, constituent_id: int) -> HttpResponse:
    constituent = constituent_or_404(request, constituent_id)
    form = PhoneAddForm(request.POST)
    if form.is_valid():
        try:
            services.constituent_phone_add(constituent=constituent, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("number", str(error))
        else:
            messages.success(request, "Phone number added.")
            return redirect("constituents:detail", constituent_id=constituent.pk)
    return render_detail(request, constituent.pk, phone_form=form)


def _done(request: HttpRequest, constituent_id: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("constituents:detail", constituent_id=constituent_id)


@office_required(Perm.LOG_CONTACT)
@require_POST
def email_preferred(request: HttpRequest, email_id: int) -> HttpResponse:
    email = get_for_office_or_404(ConstituentEmail.unscoped.select_related("constituent"), request.office, pk=email_id)
    services.constituent_email_set_preferred(email=email, actor=request.user)
    return _done(request, email.constituent_id, f"{email.email} is now the preferred address.")


@office_required(Perm.LOG_CONTACT)
@require_POST
def email_remove(request: HttpRequest, email_id: int) -> HttpResponse:
    email = get_for_office_or_404(ConstituentEmail.unscoped.select_related("constituent"), request.office, pk=email_id)
    services.constituent_email_remove(email=email, actor=request.user)
    return _done(request, email.constituent_id, f"{email.email} removed.")


@office_required(Perm.LOG_CONTACT)
@require_POST
def phone_preferred(request: HttpRequest, phone_id: int) -> HttpResponse:
    phone = get_for_office_or_404(ConstituentPhone.unscoped.select_related("constituent"), request.office, pk=phone_id)
    services.constituent_phone_set_preferred(phone=phone, actor=request.user)
    return _done(request, phone.constituent_id, f"{phone.display} is now the preferred number.")


@office_required(Perm.LOG_CONTACT)
@require_POST
def phone_remove(request: HttpRequest, phone_id: int) -> HttpResponse:
    phone = get_for_office_or_404(ConstituentPhone.unscoped.select_related("constituent"), request.office, pk=phone_id)
    services.constituent_phone_remove(phone=phone, actor=request.user)
    return _done(request, phone.constituent_id, f"{phone.display} removed.")
