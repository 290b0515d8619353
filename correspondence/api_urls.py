"""The correspondence part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from correspondence import api

urlpatterns = [
    path("messages", api.MessageListApi.as_view(), name="message_list"),
    path("messages/<int:message_id>", api.MessageDetailApi.as_view(), name="message_detail"),
    path("messages/<int:message_id>/file", api.MessageFileApi.as_view(), name="message_file"),
    path("inbound/email", api.InboundEmailApi.as_view(), name="inbound_email"),
]
