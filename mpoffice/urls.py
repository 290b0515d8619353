from django.urls import include, path

from mpoffice import views
from security.api import ApiSchemaView
from security.views import integrations

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("mpoffice.api_urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="api_schema"),
    path("api/docs/", integrations.api_docs, name="api_docs"),
    path("api/docs/script.js", integrations.api_docs_script, name="api_docs_script"),
    path("", include("security.urls")),
    path("", include("constituents.urls")),
    path("", include("casework.urls")),
    path("", include("correspondence.urls")),
    path("", include("reports.urls")),
    path("", include("campaigns.urls")),
]

handler404 = "mpoffice.views.not_found"
handler500 = "mpoffice.views.server_error"
