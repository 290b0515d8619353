"""The casework part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from casework import api

urlpatterns = [
    path("cases", api.CaseListApi.as_view(), name="case_list"),
    path("cases/<int:case_id>", api.CaseDetailApi.as_view(), name="case_detail"),
    path("cases/<int:case_id>/close", api.CaseCloseApi.as_view(), name="case_close"),
    path("cases/<int:case_id>/timeline", api.CaseTimelineApi.as_view(), name="case_timeline"),
    path("tags", api.TagListApi.as_view(), name="tag_list"),
]
