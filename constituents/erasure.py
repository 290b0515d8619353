"""How a constituent's own rows are erased, and moved in a handover (registered in the
personal-data registry).

The record itself stays, anonymised: cases point at it (and are kept for the office's figures),
and its ward and whether they live in the constituency are area facts, not personal details.
"""

from __future__ import annotations

from django.utils import timezone

from constituents.models import Constituent, ContactMethod, Ward
from security.models import Office

ERASED_NAME = "Erased"


def constituent_anonymise(constituent: Constituent) -> None:
    Constituent.unscoped.filter(pk=constituent.pk).update(
        title="",
        first_name="",
        last_name=ERASED_NAME,
        address_line1="",
        address_line2="",
        town="",
        postcode="",
        date_of_birth=None,
        notes="",
        preferred_contact=ContactMethod.LETTER,
        consents_to_updates=False,
        consent_recorded_at=None,
        erased_at=timezone.now(),
        search_vector=None,
        updated_at=timezone.now(),
    )


def constituent_move(constituent: Constituent, office: Office) -> None:
    """Into ``office``, with the ward of the same code there (a boundary change keeps ward codes)."""
    ward = Ward.objects.for_office(office).filter(code=constituent.ward.code).first() if constituent.ward else None
    Constituent.unscoped.filter(pk=constituent.pk).update(office=office, ward=ward)
