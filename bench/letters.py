"""Letter rendering speed: a one-page letter on the letterhead, as a PDF, N times.

The letter is what a caseworker makes most days: the "Acknowledgement" demo template merged
for a case, a standard paragraph added, on a letterhead with a logo and a signature (the demo
pictures), with the address placed for a window envelope. Each timed run is
``correspondence.letter_layout.letter_pdf``: the layout template, WeasyPrint's layout and the
PDF with its fonts subset and pictures read from storage. A few full saves
(``letters.letter_create``: the PDF, the message, the attachment stored under MEDIA_ROOT, the
audit row) are timed apart.

It runs in an office of its own (``bench-letters``) in whatever database Django is connected
to: the bench database from ``python -m bench letters``, the test database in the smoke test.
The target is a median of at most 100 ms per one-page letter.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass, field

OFFICE_SLUG = "bench-letters"
TARGET_MEDIAN_MS = 100.0
SAVES = 10


@dataclass
class LettersReport:
    count: int
    timings_ms: list[float] = field(default_factory=list)
    # CPU time of the same runs: what a render costs a core of its own, whatever else runs.
    cpu_ms: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    pages: int = 0
    pdf_bytes: int = 0
    # The 1-minute load average and CPU count when it ran: on a shared machine, read the
    # minimum alongside the median.
    load: tuple[float, int] = (0.0, 0)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings_ms) if self.timings_ms else 0.0

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.timings_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else 0.0

    @property
    def min_ms(self) -> float:
        return min(self.timings_ms, default=0.0)

    @property
    def cpu_median_ms(self) -> float:
        return statistics.median(self.cpu_ms) if self.cpu_ms else 0.0

    @property
    def ok(self) -> bool:
        return self.pages == 1 and self.median_ms <= TARGET_MEDIAN_MS

    def summary(self) -> str:
        saves = f"{statistics.median(self.save_ms):.0f} ms" if self.save_ms else "not measured"
        return (
            f"letters: rendered a one-page letter {self.count} times ({self.pages} page, "
            f"{self.pdf_bytes / 1024:.0f} KB): median {self.median_ms:.1f} ms (target ≤ {TARGET_MEDIAN_MS:.0f}), "
            f"p95 {self.p95_ms:.1f} ms, min {self.min_ms:.1f} ms; CPU time median {self.cpu_median_ms:.1f} ms. "
            f"Saving a letter on a case (PDF, message, stored attachment, audit): median {saves}. "
            f"Load average {self.load[0]:.1f} on {self.load[1]} CPUs."
        )


def bench_case():
    """The bench office with its letterhead, templates and paragraphs (the demo's), and one case."""
    from bench.generate import _create_office
    from casework import services as case_services
    from casework.models import Case
    from constituents.models import Constituent
    from correspondence import demo_letters
    from security.models import Membership, Office, User
    from security.roles import Role

    office = Office.objects.filter(slug=OFFICE_SLUG).first()
    if office is None:
        office = _create_office(OFFICE_SLUG, "Office of Alex Example MP", "Northtown and Eastley")
        office.letterhead_address = "House of Commons\nLondon\nSW1A 0AA"
        office.save(update_fields=["letterhead_address"])
    user, _ = User.objects.get_or_create(email="letters@bench.example", defaults={"full_name": "Casey Worker"})
    Membership.objects.get_or_create(user=user, office=office, defaults={"role": Role.MANAGER})
    demo_letters.seed(office, {Role.MANAGER: user})
    case = Case.objects.for_office(office).select_related("constituent").first()
    if case is None:
        person = Constituent.objects.create(
            office=office,
            title="Ms",
            first_name="Priya",
            last_name="Sharma",
            address_line1="12 Mill Lane",
            address_line2="Eastley",
            town="Northtown",
            postcode="NT1 1AB",
        )
        case = case_services.case_open(
            office=office, constituent=person, opened_by=user, summary="PIP award reduced at review"
        )
    return case, user


def run_letters(count: int = 200, *, warmup: int = 3) -> LettersReport:
    """Render the letter ``count`` times after ``warmup`` untimed renders; then time a few saves."""
    from correspondence import letters
    from correspondence.letter_layout import letter_pdf
    from correspondence.models import LetterTemplate, StandardParagraph

    case, user = bench_case()
    template = LetterTemplate.objects.for_office(case.office).get(name="Acknowledgement")
    start = letters.letter_start(case=case, actor=user, template=template)
    extra = StandardParagraph.objects.for_office(case.office).get(shortcut="waiting")
    paragraph = letters.paragraph_choices(office=case.office, actor=user, case=case, query=extra.shortcut)[0].text
    body = start.body.replace("Yours sincerely,", f"{paragraph}\n\nYours sincerely,")
    content = letters.letter_content(case=case, address=start.address, body=body, their_reference="DWP/77/2026")
    letterhead = letters.letterhead_get(case.office)
    report = LettersReport(count=count)
    for _ in range(warmup):
        letter_pdf(content, letterhead)
    for _ in range(count):
        began, began_cpu = time.perf_counter(), time.process_time()
        rendered = letter_pdf(content, letterhead)
        report.timings_ms.append((time.perf_counter() - began) * 1000)
        report.cpu_ms.append((time.process_time() - began_cpu) * 1000)
    report.pages, report.pdf_bytes = rendered.pages, len(rendered.pdf)
    report.load = (os.getloadavg()[0], os.cpu_count() or 0)
    for _ in range(min(SAVES, count)):
        began = time.perf_counter()
        letters.letter_create(
            case=case, actor=user, addressee="constituent", address=start.address, subject="Bench letter", body=body
        )
        report.save_ms.append((time.perf_counter() - began) * 1000)
    return report
