from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard", views.dashboard, name="dashboard"),
    path("dashboard/csv", views.dashboard_csv, name="dashboard_csv"),
    path("reports", views.report_list, name="report_list"),
    path("reports/settings", views.report_settings, name="settings"),
    path("reports/<int:report_id>", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/progress", views.report_progress, name="report_progress"),
    path("reports/<int:report_id>/pdf", views.report_pdf, name="report_pdf"),
]
