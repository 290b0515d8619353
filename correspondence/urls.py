from django.urls import path

from correspondence import views, views_contact, views_enquiries, views_mailboxes, views_outbox

app_name = "correspondence"

urlpatterns = [
    path("mailboxes", views_mailboxes.mailbox_list, name="mailbox_list"),
    path("mailboxes/add", views_mailboxes.mailbox_add, name="mailbox_add"),
    path("mailboxes/<int:mailbox_id>/edit", views_mailboxes.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test", views_mailboxes.mailbox_test, name="mailbox_test"),
    path("mailboxes/<int:mailbox_id>/poll", views_mailboxes.mailbox_poll, name="mailbox_poll"),
    path("mailboxes/<int:mailbox_id>/deactivate", views_mailboxes.mailbox_deactivate, name="mailbox_deactivate"),
    path("cases/<int:case_id>/reply", views_outbox.reply, name="reply"),
    path("cases/<int:case_id>/replies/<int:reply_id>/retry", views_outbox.reply_retry, name="reply_retry"),
    path("cases/<int:case_id>/enquiries/add", views_enquiries.enquiry_add, name="enquiry_add"),
    path("cases/<int:case_id>/enquiries/<int:enquiry_id>", views_enquiries.enquiry_detail, name="enquiry_detail"),
    *(
        path(
            f"cases/<int:case_id>/enquiries/<int:enquiry_id>/{action}",
            views_enquiries.enquiry_action,
            {"action": action},
            name=f"enquiry_{action}",
        )
        for action in ("holding", "answer", "withdraw", "due")
    ),
    path(
        "cases/<int:case_id>/enquiries/<int:enquiry_id>/chasers/<int:step_id>",
        views_enquiries.chaser_send,
        name="chaser_send",
    ),
    path("chases", views_enquiries.chases_page, name="chases"),
    path("chases/digest", views_enquiries.digest_preference, name="digest_preference"),
    path("organisations/responsiveness", views_enquiries.responsiveness, name="responsiveness"),
    path("settings/chasing", views_enquiries.enquiry_settings, name="enquiry_settings"),
    path("settings/email", views_outbox.identity_edit, name="identity_edit"),
    path("settings/email/test", views_outbox.identity_test, name="identity_test"),
    path("contact/<slug:office_slug>", views_contact.contact_start, name="contact_start"),
    path("contact/<slug:office_slug>/about/<int:topic_id>", views_contact.contact_topic, name="contact_topic"),
    path("contact/<slug:office_slug>/positions", views_contact.contact_positions, name="contact_positions"),
    path("contact/<slug:office_slug>/write", views_contact.contact_write, name="contact_write"),
    path("contact/<slug:office_slug>/thanks", views_contact.contact_thanks, name="contact_thanks"),
    path("settings/contact-page", views_contact.contact_settings, name="contact_settings"),
    path("settings/contact-page/topics/add", views_contact.topic_edit, name="topic_add"),
    path("settings/contact-page/topics/<int:topic_id>", views_contact.topic_edit, name="topic_edit"),
    path("settings/contact-page/positions/add", views_contact.position_edit, name="position_add"),
    path("settings/contact-page/positions/<int:position_id>", views_contact.position_edit, name="position_edit"),
    path("outbox", views_outbox.outbox_list, name="outbox"),
    path("outbox/<int:outgoing_id>/retry", views_outbox.outbox_retry, name="outbox_retry"),
    path("outbox/batches/<int:batch_id>/state", views_outbox.batch_state, name="batch_state"),
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
