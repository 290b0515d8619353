"""The constituents part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from constituents import api

urlpatterns = [
    path("constituents", api.ConstituentListApi.as_view(), name="constituent_list"),
    path("constituents/<int:constituent_id>", api.ConstituentDetailApi.as_view(), name="constituent_detail"),
    path("organisations", api.OrganisationListApi.as_view(), name="organisation_list"),
    path("organisations/<int:organisation_id>", api.OrganisationDetailApi.as_view(), name="organisation_detail"),
]
