from django.urls import path

from constituents.views import constituents, contacts, duplicates, organisations, representatives

app_name = "constituents"

urlpatterns = [
    path("constituents", constituents.constituent_list, name="list"),
    path("constituents/new", constituents.constituent_create, name="create"),
    path("constituents/duplicates", duplicates.duplicate_review, name="duplicates"),
    path("constituents/<int:constituent_id>", constituents.constituent_detail, name="detail"),
    path("constituents/<int:constituent_id>/edit", constituents.constituent_edit, name="edit"),
    path("constituents/<int:constituent_id>/emails", contacts.email_add, name="email_add"),
    path("constituents/<int:constituent_id>/phones", contacts.phone_add, name="phone_add"),
    path("constituents/emails/<int:email_id>/preferred", contacts.email_preferred, name="email_preferred"),
    path("constituents/emails/<int:email_id>/remove", contacts.email_remove, name="email_remove"),
    path("constituents/phones/<int:phone_id>/preferred", contacts.phone_preferred, name="phone_preferred"),
    path("constituents/phones/<int:phone_id>/remove", contacts.phone_remove, name="phone_remove"),
    path(
        "constituents/<int:constituent_id>/representatives/new",
        representatives.representative_create,
        name="representative_create",
    ),
    path(
        "constituents/representatives/<int:representative_id>/edit",
        representatives.representative_edit,
        name="representative_edit",
    ),
    path(
        "constituents/representatives/<int:representative_id>/remove",
        representatives.representative_remove,
        name="representative_remove",
    ),
    path(
        "constituents/<int:constituent_id>/merge/<int:duplicate_id>",
        duplicates.constituent_merge,
        name="merge",
    ),
    path(
        "constituents/<int:constituent_id>/not-duplicate/<int:duplicate_id>",
        duplicates.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("organisations", organisations.organisation_list, name="organisation_list"),
    path("organisations/new", organisations.organisation_create, name="organisation_create"),
    path("organisations/<int:organisation_id>", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:organisation_id>/edit", organisations.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<int:organisation_id>/deactivate",
        organisations.organisation_deactivate,
        name="organisation_deactivate",
    ),
    path(
        "organisations/<int:organisation_id>/reactivate",
        organisations.organisation_reactivate,
        name="organisation_reactivate",
    ),
]
