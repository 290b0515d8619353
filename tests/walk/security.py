import datetime as dt

from security import services
from security.audit import audit_record
from security.dataprotection.models import (
    Erasure,
    Handover,
    OfficeExport,
    PendingCleanup,
    RetentionPolicy,
    RetentionRun,
    SubjectAccessRequest,
)
from security.roles import Role
from tests.factories import MembershipFactory, UserFactory

PARAMS = {
    "membership_id": "membership",
    "notification_id": "notification",
    "token_id": "apitoken",
    "sar_id": "subjectaccessrequest",
    "handover_id": "handover",
    "export_id": "officeexport",
}


def build(office, prefix, rows):
    person = UserFactory(full_name=f"{prefix} person", email=f"{prefix.lower()}@example.org")
    rows["membership"] = MembershipFactory(user=person, office=office, role=Role.CASEWORKER)
    rows["notification"] = services.notification_create(
        office=office, recipient=person, kind="walk", title=f"{prefix} note"
    )
    rows["invitation"], _ = services.invitation_send(
        office=office, email=f"{prefix.lower()}-invitee@example.org", role=Role.VOLUNTEER, invited_by=person
    )
    rows["auditevent"] = audit_record(
        verb="walk.sentinel", office=office, actor=person, object_type=prefix, object_id=prefix[:60]
    )
    rows["apitoken"], _ = services.api_token_create(
        office=office, actor=person, name=f"{prefix} integration", scopes=["read", "write"]
    )
    rows["person"] = person
    # Data protection. The request names no constituent yet (they are built after this module):
    # its pages must cope with a subject that is not (or no longer) held.
    today = dt.date(2026, 3, 2)
    rows["subjectaccessrequest"] = SubjectAccessRequest.objects.create(
        office=office, subject_id=0, received_on=today, received_by="email", due_on=today, notes=prefix
    )
    rows["erasure"] = Erasure.objects.create(office=office, subject_id=0, reason="request", counts={prefix: 1})
    rows["pendingcleanup"] = PendingCleanup.objects.create(
        office=office,
        kind="walk.never",
        payload={"name": prefix},
        next_attempt_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    rows["retentionpolicy"] = RetentionPolicy.objects.create(office=office, periods={"campaign": 1})
    rows["retentionrun"] = RetentionRun.objects.create(office=office, run_on=today, results={prefix: 1})
    rows["handover"] = Handover.objects.create(office=office, mode="export_purge", status="exported", case_ids=[])
    rows["officeexport"] = OfficeExport.objects.create(office=office, error=prefix)
