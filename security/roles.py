"""Roles and what each may do: the one table the whole product enforces.

The README's role table is generated from ``ROLE_PERMISSIONS`` (``manage.py role_table``) and a
test keeps the two in step.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    MANAGER = "manager", "Office manager"
    MP = "mp", "MP"
    VOLUNTEER = "volunteer", "Volunteer / intern"


class Perm(models.TextChoices):
    VIEW_CASES = "view_cases", "See cases, constituents and correspondence"
    VIEW_RESTRICTED = "view_restricted", "See restricted cases"
    LOG_CONTACT = "log_contact", "Log phone calls, letters and messages"
    WORK_CASES = "work_cases", "Open, file, tag, reply to and close cases"
    ASSIGN_CASES = "assign_cases", "Assign cases to staff"
    SEND_BULK = "send_bulk", "Send, pause and cancel approved campaign replies"
    APPROVE_RESPONSES = "approve_responses", "Approve campaign responses and sensitive letters"
    NAME_APPROVERS = "name_approvers", "Name staff who approve on the MP's behalf"
    VIEW_DASHBOARD = "view_dashboard", "Read dashboards and trend reports"
    EXPORT = "export", "Export data"
    MANAGE_TAGS = "manage_tags", "Govern the tag vocabulary"
    MERGE_RECORDS = "merge_records", "Review duplicate constituents and merge them"
    MANAGE_STAFF = "manage_staff", "Invite staff, change roles, deactivate accounts"
    MANAGE_OFFICE = "manage_office", "Change office settings, mailboxes and sending identity"
    VIEW_AUDIT = "view_audit", "Browse the audit log"
    DATA_PROTECTION = "data_protection", "Handle subject access, erasure and retention"
    IMPORT_DATA = "import_data", "Import constituents and cases from other systems"
    USE_API = "use_api", "Create API tokens"


_CASEWORK = {Perm.VIEW_CASES, Perm.VIEW_RESTRICTED, Perm.LOG_CONTACT, Perm.WORK_CASES}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.VOLUNTEER: frozenset({Perm.VIEW_CASES, Perm.LOG_CONTACT}),
    Role.CASEWORKER: frozenset(_CASEWORK | {Perm.ASSIGN_CASES}),
    Role.MP: frozenset(_CASEWORK | {Perm.APPROVE_RESPONSES, Perm.NAME_APPROVERS, Perm.VIEW_DASHBOARD}),
    Role.MANAGER: frozenset(set(Perm) - {Perm.APPROVE_RESPONSES, Perm.NAME_APPROVERS}),
}


def role_allows(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def role_table_markdown() -> str:
    """The permission table as Markdown, for the README."""
    roles = [Role.CASEWORKER, Role.MANAGER, Role.MP, Role.VOLUNTEER]
    lines = [
        "| may | " + " | ".join(role.label for role in roles) + " |",
        "| --- |" + " :---: |" * len(roles),
    ]
    for perm in Perm:
        marks = " | ".join("yes" if role_allows(role, perm) else "—" for role in roles)
        lines.append(f"| {perm.label} | {marks} |")
    lines.append("| Approve on the MP's behalf | if named by the MP | if named by the MP | yes | — |")
    return "\n".join(lines)
