from django.urls import path

from correspondence import urls_letters, views, views_mailboxes

app_name = "correspondence"

urlpatterns = [
    path("mailboxes", views_mailboxes.mailbox_list, name="mailbox_list"),
    path("mailboxes/add", views_mailboxes.mailbox_add, name="mailbox_add"),
    path("mailboxes/<int:mailbox_id>/edit", views_mailboxes.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test", views_mailboxes.mailbox_test, name="mailbox_test"),
    path("mailboxes/<int:mailbox_id>/poll", views_mailboxes.mailbox_poll, name="mailbox_poll"),
    path("mailboxes/<int:mailbox_id>/deactivate", views_mailboxes.mailbox_deactivate, name="mailbox_deactivate"),
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
    *urls_letters.urlpatterns,
]
