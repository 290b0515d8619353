"""The security part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from security import api

urlpatterns = [
    path("me", api.MeApi.as_view(), name="me"),
]
