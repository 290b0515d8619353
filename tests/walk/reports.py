from django.core.files.base import ContentFile

from reports.models import Report, ReportDelivery, ReportKind, ReportSettings, ReportStatus, WardBoundary

PARAMS = {"report_id": "report"}


def build(office, prefix, rows):
    rows["reportsettings"], _ = ReportSettings.unscoped.get_or_create(office=office)
    report = Report.objects.create(
        office=office,
        kind=ReportKind.WEEKLY,
        period_start="2026-01-05",
        period_end="2026-01-11",
        status=ReportStatus.DONE,
        progress=100,
        html=f"<p>{prefix} report</p>",
    )
    report.pdf.save("walk.pdf", ContentFile(f"%PDF-1.4 {prefix}".encode()), save=True)
    rows["report"] = report
    rows["reportdelivery"] = ReportDelivery.objects.create(office=office, report=report, recipient=rows["person"])
    rows["wardboundary"] = WardBoundary.objects.create(
        office=office, code=prefix[:12], name=f"{prefix} ward", path="M0 0L1 0L1 1Z", min_x=0, min_y=0, max_x=1, max_y=1
    )
