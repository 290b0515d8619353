"""The campaigns part of /api/v1/ (collected by mpoffice.api_urls)."""

from django.urls import path

from campaigns import api

urlpatterns = [
    path("campaigns", api.CampaignListApi.as_view(), name="campaign_list"),
    path("campaigns/<int:campaign_id>", api.CampaignDetailApi.as_view(), name="campaign_detail"),
    path("campaigns/<int:campaign_id>/messages", api.CampaignMemberListApi.as_view(), name="campaign_members"),
    path("campaigns/<int:campaign_id>/responses", api.CampaignResponseListApi.as_view(), name="campaign_responses"),
]
