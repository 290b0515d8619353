"""/api/v1/: each app's API routes, under the one namespace "api"."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("security.api_urls")),
    path("", include("constituents.api_urls")),
    path("", include("casework.api_urls")),
    path("", include("correspondence.api_urls")),
    path("", include("campaigns.api_urls")),
]
