"""The signed-in person's own pages: home, choosing an office, sessions, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from security import home as home_pages
from security import office_menu as office_menu_entries
from security import selectors, services
from security.audit import audit_record
from security.decorators import office_required
from security.middleware import SESSION_OFFICE_ID
from security.models import Notification
from security.roles import ROLE_PERMISSIONS, Perm
from security.scoping import get_for_office_or_404


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        return redirect("security:office_choose")
    role_home = home_pages.url_name_for(membership.role)
    if role_home and request.GET.get("overview") is None:
        return redirect(role_home)
    context = {"permissions": [perm for perm in Perm if perm in ROLE_PERMISSIONS[membership.role]]}
    if membership.allows(Perm.MANAGE_STAFF):
        context["staff"] = selectors.staff_with_2fa_status(office=request.office)
    context["recent_sign_ins"] = selectors.recent_sign_ins(user=request.user, limit=5)
    return render(request, "security/home.html", context)


@require_http_methods(["GET", "POST"])
def office_choose(request: HttpRequest) -> HttpResponse:
    memberships = list(request.user.active_memberships().order_by("office__name"))
    if request.method == "POST":
        chosen = next((m for m in memberships if str(m.office_id) == request.POST.get("office")), None)
        if chosen is None:
            messages.error(request, "Choose one of your offices.")
        else:
            request.session[SESSION_OFFICE_ID] = chosen.office_id
            audit_record(verb="security.office.chosen", office=chosen.office, actor=request.user, obj=chosen.office)
            return redirect("security:home")
    return render(request, "security/office_choose.html", {"memberships": memberships})


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.active_sessions(user=request.user)
    return render(request, "security/sessions.html", {"sessions": sessions, "current_key": request.session.session_key})


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.sessions_end_all(
        user=request.user, actor=request.user, office=request.office, keep=request.session.session_key
    )
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("security:sessions")


@require_POST
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    services.sessions_end_all(user=request.user, actor=request.user, office=request.office)
    return redirect("security:login")


@office_required()
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for(office=request.office, user=request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "security/notifications.html", {"page": page})


@office_required()
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """Polled by the header every minute (marked as background, so it keeps no session alive)."""
    return render(request, "security/_notification_badge.html")


@office_required()
@require_POST
def notification_read(request: HttpRequest, notification_id: int | None = None) -> HttpResponse:
    if notification_id is not None:
        get_for_office_or_404(Notification, request.office, pk=notification_id, recipient=request.user)
    services.notification_mark_read(office=request.office, recipient=request.user, notification_id=notification_id)
    return redirect("security:notifications")


@office_required()
@require_GET
def office_menu(request: HttpRequest) -> HttpResponse:
    """Everything that runs the office that this member's role may open, grouped."""
    return render(request, "security/office_menu.html", {"groups": office_menu_entries.groups_for(request.membership)})
