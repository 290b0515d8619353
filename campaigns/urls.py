from django.urls import path

from campaigns import views, views_responses

app_name = "campaigns"

urlpatterns = [
    path("campaigns", views.campaign_list, name="campaign_list"),
    path("campaigns/approvals", views_responses.approvals, name="approvals"),
    path("campaigns/settings", views_responses.settings_edit, name="settings"),
    path("campaigns/short-reply", views_responses.short_reply_edit, name="short_reply_edit"),
    path("campaigns/<int:campaign_id>", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/messages", views.member_list, name="member_list"),
    path("campaigns/<int:campaign_id>/confirm", views.campaign_confirm, name="campaign_confirm"),
    path("campaigns/<int:campaign_id>/rename", views.campaign_rename, name="campaign_rename"),
    path("campaigns/<int:campaign_id>/merge", views.campaign_merge, name="campaign_merge"),
    path("campaigns/<int:campaign_id>/split", views.campaign_split, name="campaign_split"),
    path("campaigns/<int:campaign_id>/dissolve", views.campaign_dissolve, name="campaign_dissolve"),
    path("campaigns/<int:campaign_id>/mode", views.campaign_mode, name="campaign_mode"),
    path("campaigns/<int:campaign_id>/messages/add", views.member_add, name="member_add"),
    path("campaigns/<int:campaign_id>/messages/<int:member_id>/remove", views.member_remove, name="member_remove"),
    path(
        "campaigns/<int:campaign_id>/messages/<int:member_id>/response",
        views_responses.member_response_edit,
        name="member_response_edit",
    ),
    path("campaigns/<int:campaign_id>/response", views_responses.response_edit, name="response_edit"),
    path("campaigns/<int:campaign_id>/send", views_responses.send, name="send"),
    path("campaigns/responses/<int:version_id>", views_responses.version_detail, name="version_detail"),
    path("campaigns/responses/<int:version_id>/submit", views_responses.version_submit, name="version_submit"),
    path("campaigns/responses/<int:version_id>/approve", views_responses.version_approve, name="version_approve"),
    path("campaigns/responses/<int:version_id>/return", views_responses.version_return, name="version_return"),
    path("campaigns/sends/<int:send_id>/progress", views_responses.send_progress, name="send_progress"),
    path("campaigns/sends/<int:send_id>/state", views_responses.send_state, name="send_state"),
]
