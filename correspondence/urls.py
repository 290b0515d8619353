from django.urls import path

from correspondence import views

app_name = "correspondence"

urlpatterns = [
    path("messages", views.message_list, name="message_list"),
    path("messages/bulk", views.message_bulk, name="message_bulk"),
    path("messages/log", views.message_log, name="message_log"),
    path("messages/quarantine", views.quarantine, name="quarantine"),
    path("messages/quarantine/<int:raw_email_id>/reparse", views.quarantine_reparse, name="quarantine_reparse"),
    path("messages/quarantine/<int:raw_email_id>/raw", views.quarantine_raw, name="quarantine_raw"),
    path("messages/<int:message_id>", views.message_detail, name="message_detail"),
    path("messages/<int:message_id>/html", views.message_html, name="message_html"),
    path("messages/<int:message_id>/file", views.message_file, name="message_file"),
    path("messages/<int:message_id>/triage", views.message_triage, name="message_triage"),
    path("messages/<int:message_id>/constituent", views.message_link_constituent, name="message_link_constituent"),
    path("messages/<int:message_id>/case", views.message_open_case, name="message_open_case"),
    path(
        "messages/<int:message_id>/attachments/<int:attachment_id>",
        views.attachment_download,
        name="attachment_download",
    ),
]
