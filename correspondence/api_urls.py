"""The correspondence part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from correspondence import api

urlpatterns = [
    path("inbound/email", api.InboundEmailApi.as_view(), name="inbound_email"),
]
