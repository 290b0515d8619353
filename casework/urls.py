from django.urls import path

from casework.views import cases, imports, tags, triage

app_name = "casework"

urlpatterns = [
    path("triage", triage.triage, name="triage"),
    path("triage/bulk", triage.triage_bulk, name="triage_bulk"),
    path("search", cases.search, name="search"),
    path("cases", cases.case_list, name="case_list"),
    path("cases/new", cases.case_open, name="case_open"),
    path("cases/constituent-picker", cases.constituent_picker, name="constituent_picker"),
    path("cases/<int:case_id>", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/edit", cases.case_edit, name="case_edit"),
    path("cases/<int:case_id>/assign", cases.case_assign, name="case_assign"),
    path("cases/<int:case_id>/status", cases.case_status, name="case_status"),
    path("cases/<int:case_id>/close", cases.case_close, name="case_close"),
    path("cases/<int:case_id>/tags", cases.case_tags, name="case_tags"),
    path("cases/<int:case_id>/notes", cases.case_note, name="case_note"),
    path("cases/<int:case_id>/documents", cases.case_document, name="case_document"),
    path("cases/<int:case_id>/people", cases.case_participant_add, name="case_participant_add"),
    path(
        "cases/<int:case_id>/people/<int:participant_id>/remove",
        cases.case_participant_remove,
        name="case_participant_remove",
    ),
    path("cases/<int:case_id>/documents/<int:document_id>", cases.document_download, name="document_download"),
    path("cases/import", imports.import_start, name="import_start"),
    path("cases/import/<int:job_id>", imports.import_detail, name="import_detail"),
    path("tags", tags.tag_list, name="tag_list"),
    path("tags/search", tags.tag_search, name="tag_search"),
    path("tags/<int:tag_id>/edit", tags.tag_edit, name="tag_edit"),
    path("tags/<int:tag_id>/toggle", tags.tag_toggle, name="tag_toggle"),
    path("tags/<int:tag_id>/merge", tags.tag_merge, name="tag_merge"),
]
