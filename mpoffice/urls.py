from django.urls import include, path

from mpoffice import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", include("security.urls")),
    path("", include("constituents.urls")),
    path("", include("casework.urls")),
]
