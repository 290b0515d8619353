"""Demo sending settings and public contact page for ``manage.py seed_demo``. Idempotent."""

from __future__ import annotations

from typing import Any

from constituents.models import Organisation
from correspondence import outbox
from correspondence.models import ContactTopic, PublishedPosition, TopicKind
from security.models import Office

SIGNPOSTS = [
    (
        "Bins, potholes or street lights",
        "Northtown Borough Council",
        "Report it to the council online first; they fix most problems within a few days.",
    ),
    (
        "Repairs to an Eastley Homes property",
        "Eastley Homes",
        "Report the repair to Eastley Homes and keep the job number they give you.",
    ),
]
POSITIONS = [
    (
        "The Northtown bypass",
        "Alex supports the bypass and has asked the Department for Transport to publish its decision "
        "before the summer recess.",
    ),
    (
        "Bathing water at Eastley Lido",
        "Alex has written to the water company and the Environment Agency about sewage discharges "
        "and will publish their answers here.",
    ),
]


def seed_demo(office: Office, people: dict[str, Any]) -> None:
    identity = outbox.identity_for(office)
    if identity.from_email != "casework@alex-example-mp.example":
        identity.from_email = "casework@alex-example-mp.example"
        identity.from_name = f"Office of {office.mp_name} MP"
        identity.save()
    if ContactTopic.objects.for_office(office).exists():
        return
    organisations = {o.name: o for o in Organisation.objects.for_office(office)}
    for position, (title, organisation, guidance) in enumerate(SIGNPOSTS):
        if organisation in organisations:
            ContactTopic.objects.create(
                office=office,
                title=title,
                kind=TopicKind.SIGNPOST,
                organisation=organisations[organisation],
                guidance=guidance,
                position=position,
            )
    ContactTopic.objects.create(office=office, title="A problem with a government department", position=10)
    ContactTopic.objects.create(office=office, title="Alex's view on an issue", kind=TopicKind.POSITION, position=20)
    for title, body in POSITIONS:
        PublishedPosition.objects.create(office=office, title=title, body=body, is_published=True)
