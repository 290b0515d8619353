"""Letter URLs, included in ``correspondence.urls`` (the ``correspondence`` namespace)."""

from django.urls import path

from correspondence import views_letter_admin as admin
from correspondence import views_letters as views

urlpatterns = [
    path("cases/<int:case_id>/letter", views.letter_new, name="letter_new"),
    path("cases/<int:case_id>/letter/preview", views.letter_preview, name="letter_preview"),
    path("letters/paragraphs/picker", views.paragraph_picker, name="paragraph_picker"),
    path("letters/letterhead/logo", views.letterhead_logo, name="letterhead_logo"),
    path("letters/letterhead/signature", views.letterhead_signature, name="letterhead_signature"),
    path("letters/templates", admin.template_list, name="letter_template_list"),
    path("letters/templates/add", admin.template_add, name="letter_template_add"),
    path("letters/templates/<int:template_id>", admin.template_edit, name="letter_template_edit"),
    path("letters/paragraphs", admin.paragraph_list, name="paragraph_list"),
    path("letters/paragraphs/add", admin.paragraph_add, name="paragraph_add"),
    path("letters/paragraphs/<int:paragraph_id>", admin.paragraph_edit, name="paragraph_edit"),
    path("letters/letterhead", admin.letterhead_edit, name="letterhead_edit"),
    path("letters/letterhead/sample", admin.letterhead_sample, name="letterhead_sample"),
]
