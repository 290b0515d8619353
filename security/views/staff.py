"""Managing the office's people: invitations, roles, deactivation, the MP's approvers."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from security import selectors, services
from security.decorators import office_required, recent_otp_required
from security.errors import DomainError
from security.forms import AuditFilterForm, InviteForm, RoleForm
from security.models import Membership
from security.roles import Perm
from security.scoping import get_for_office_or_404


@office_required(Perm.MANAGE_STAFF)
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(office=request.office, invited_by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Invitation sent.")
            return redirect("security:staff")
    staff = selectors.staff_with_2fa_status(office=request.office)
    return render(
        request, "security/staff.html", {"staff": staff, "form": form, "roles": RoleForm().fields["role"].choices}
    )


def _staff_action(request: HttpRequest, action: Callable[..., object], back_to: str, **kwargs: object) -> HttpResponse:
    try:
        action(office=request.office, actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect(back_to)


@office_required(Perm.MANAGE_STAFF)
@require_POST
@recent_otp_required
def staff_change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_for_office_or_404(Membership, request.office, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("security:staff")
    return _staff_action(
        request,
        services.membership_change_role,
        "security:staff",
        membership_id=membership.pk,
        role=form.cleaned_data["role"],
    )


@office_required(Perm.MANAGE_STAFF)
@require_POST
@recent_otp_required
def staff_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_for_office_or_404(Membership, request.office, pk=membership_id)
    return _staff_action(request, services.membership_deactivate, "security:staff", membership_id=membership.pk)


@office_required(Perm.NAME_APPROVERS)
@require_http_methods(["GET", "POST"])
def approvers(request: HttpRequest) -> HttpResponse:
    """The MP names who may approve responses on their behalf."""
    if request.method == "POST":
        membership = get_for_office_or_404(Membership, request.office, pk=request.POST.get("membership"))
        approves = request.POST.get("approves") == "yes"
        return _staff_action(
            request,
            services.membership_set_mp_approver,
            "security:approvers",
            membership_id=membership.pk,
            approves=approves,
        )
    staff = selectors.staff_with_2fa_status(office=request.office).filter(is_active=True)
    return render(request, "security/approvers.html", {"staff": staff})


@office_required(Perm.VIEW_AUDIT)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(office=request.office, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "security/audit.html", {"form": form, "page": page})
