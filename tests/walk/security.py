from security import services
from security.audit import audit_record
from security.roles import Role
from tests.factories import MembershipFactory, UserFactory

PARAMS = {"membership_id": "membership", "notification_id": "notification", "token_id": "apitoken"}


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
