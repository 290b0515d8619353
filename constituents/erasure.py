"""How a constituent's own rows are erased (registered in the personal-data registry).

The record itself stays, anonymised: cases point at it (and are kept for the office's figures),
and its ward and whether they live in the constituency are area facts, not personal details.
"""

from __future__ import annotations

from django.utils import timezone

from constituents.models import Constituent, ContactMethod

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
