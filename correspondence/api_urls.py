"""The correspondence part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from correspondence import api, api_enquiries

urlpatterns = [
    path("messages", api.MessageListApi.as_view(), name="message_list"),
    path("messages/<int:message_id>", api.MessageDetailApi.as_view(), name="message_detail"),
    path("messages/<int:message_id>/file", api.MessageFileApi.as_view(), name="message_file"),
    path("cases/<int:case_id>/enquiries", api_enquiries.CaseEnquiriesApi.as_view(), name="case_enquiries"),
    path(
        "cases/<int:case_id>/enquiries/<int:enquiry_id>",
        api_enquiries.EnquiryDetailApi.as_view(),
        name="enquiry_detail",
    ),
    path(
        "cases/<int:case_id>/enquiries/<int:enquiry_id>/answer",
        api_enquiries.EnquiryAnswerApi.as_view(),
        name="enquiry_answer",
    ),
    path("enquiries", api_enquiries.DueEnquiriesApi.as_view(), name="enquiries_due"),
    path("inbound/email", api.InboundEmailApi.as_view(), name="inbound_email"),
]
