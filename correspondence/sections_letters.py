"""What letters add to the case page: the letters kept on the case and a way to write one."""

from __future__ import annotations

from typing import Any

from mpoffice.lib.sections import Section
from security.roles import Perm


def case_letters(request: Any, case: Any) -> dict[str, Any] | None:
    from casework.models import CaseStatus
    from correspondence import letters

    return {
        "case": case,
        "letters": letters.case_letters(case=case),
        "can_write": request.membership.allows(Perm.WORK_CASES) and case.status != CaseStatus.CLOSED,
    }


CASE_LETTERS = Section(
    key="correspondence.letters", template="correspondence/letters/_case_letters.html", context=case_letters, order=90
)


def register_all() -> None:
    """Called from ``CorrespondenceConfig.ready()``."""
    from casework.sections import case_page

    case_page.register(CASE_LETTERS)
