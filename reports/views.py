"""The dashboard, its CSV downloads, and the office's reports (for managers and the MP)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from reports import csvexport, figures, services
from reports.forms import DashboardForm, ReportRequestForm, ReportSettingsForm
from reports.models import Report, ReportSettings
from reports.periods import DEFAULT_PRESET, PRESETS
from reports.selectors import report_list as reports_of
from security.decorators import office_required
from security.errors import DomainError
from security.roles import Perm
from security.scoping import get_for_office_or_404

PAGE_SIZE = 25
WIDE = {panel.key for panel in figures.PANELS if panel.wide}


def _settings_and_today(request: HttpRequest) -> tuple[ReportSettings, dt.date]:
    """The office's report settings, and today in its time zone (periods are whole local days)."""
    options = figures.report_settings(request.office)
    return options, timezone.localdate(timezone.now(), ZoneInfo(options.time_zone))


def _presets(request: HttpRequest) -> list[dict[str, Any]]:
    tag = request.GET.get("tag", "")
    dated = bool(request.GET.get("start") or request.GET.get("end"))
    chosen = None if dated else (request.GET.get("preset") or DEFAULT_PRESET)
    return [
        {"label": label, "query": urlencode({"preset": key, **({"tag": tag} if tag else {})}), "current": key == chosen}
        for key, label in PRESETS.items()
    ]


@office_required(Perm.VIEW_DASHBOARD)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    options, today = _settings_and_today(request)
    form = DashboardForm(request.GET, office=request.office, today=today)
    context: dict[str, Any] = {"form": form, "presets": _presets(request), "wide": WIDE}
    if form.is_valid():
        period, tag = form.cleaned_data["period"], form.cleaned_data["tag"]
        # A quick period shows its dates in the form, ready to adjust.
        context["form"] = DashboardForm(
            initial={"start": period.start, "end": period.end, "tag": tag}, office=request.office, today=today
        )
        scope = figures.scope_for(request.office, period, tag=tag, today=today, options=options)
        built = figures.build(scope)
        query = {"start": period.start.isoformat(), "end": period.end.isoformat(), **({"tag": tag.pk} if tag else {})}
        context |= {
            "scope": scope,
            "figures": built,
            "stats": [stat for figure in built for stat in figure.stats],
            "empty": all(f.empty for f in built if f.key in ("weekly", "caseload")),
            "query": urlencode(query),
        }
        if context["empty"]:
            context["first_case"], context["last_case"] = figures.data_span(request.office)
    return render(request, "reports/dashboard.html", context)


@office_required(Perm.VIEW_DASHBOARD)
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """One figure as CSV, for the same period and tag as the dashboard that links to it."""
    key = request.GET.get("figure", "")
    if key not in figures.PANEL_KEYS:
        raise Http404("No such figure.")
    options, today = _settings_and_today(request)
    form = DashboardForm(request.GET, office=request.office, today=today)
    if not form.is_valid():
        return HttpResponse("Choose a valid period first.", status=400, content_type="text/plain; charset=utf-8")
    period, tag = form.cleaned_data["period"], form.cleaned_data["tag"]
    scope = figures.scope_for(request.office, period, tag=tag, today=today, options=options)
    found = figures.build(scope, keys=(key,))
    if not found:
        raise Http404("That figure is not drawn for this period.")
    response = HttpResponse(csvexport.figure_csv(found[0]), content_type="text/csv; charset=utf-8")
    name = f"{request.office.slug}-{key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_required(Perm.VIEW_DASHBOARD)
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    options, today = _settings_and_today(request)
    form = ReportRequestForm(request.POST if request.method == "POST" else None, today=today)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            report, fresh = services.report_request(
                office=request.office, actor=request.user, start=period.start, end=period.end
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if not fresh:
                messages.info(request, "A report for this period already exists.")
            return redirect("reports:report_detail", report_id=report.pk)
    context = {
        "form": form,
        "options": options,
        "page": Paginator(reports_of(office=request.office), PAGE_SIZE).get_page(request.GET.get("page")),
        "can_configure": request.membership.allows(Perm.MANAGE_OFFICE),
    }
    return render(request, "reports/report_list.html", context)


@office_required(Perm.VIEW_DASHBOARD)
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_for_office_or_404(Report, request.office, pk=report_id)
    return render(request, "reports/report_detail.html", {"report": report, "title": services.report_title(report)})


@office_required(Perm.VIEW_DASHBOARD)
@require_GET
def report_progress(request: HttpRequest, report_id: int) -> HttpResponse:
    """Polled by htmx (marked as background polling, so it keeps no session alive). Answers 286
    once the report is finished, which tells htmx to stop polling."""
    report = get_for_office_or_404(Report, request.office, pk=report_id)
    response = render(request, "reports/_report_status.html", {"report": report, "polled": True})
    if report.is_finished:
        response.status_code = 286
    return response


@office_required(Perm.VIEW_DASHBOARD)
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> FileResponse:
    report = get_for_office_or_404(Report, request.office, pk=report_id)
    if not report.pdf:
        raise Http404("The report has no PDF yet.")
    try:
        handle = report.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("The PDF is missing from storage.") from None
    response = FileResponse(handle, as_attachment=True, filename=report.pdf_filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_required(Perm.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def report_settings(request: HttpRequest) -> HttpResponse:
    options = figures.report_settings(request.office)
    form = ReportSettingsForm(request.POST or None, instance=options)
    if request.method == "POST" and form.is_valid():
        services.report_settings_update(
            office=request.office,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in services.SETTING_FIELDS},
        )
        messages.success(request, "Report settings saved.")
        return redirect("reports:report_list")
    return render(request, "reports/settings.html", {"form": form})
