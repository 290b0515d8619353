"""The demo office's constituents, wards, representatives and local bodies."""

from constituents import selectors
from constituents.demo import seed_demo
from constituents.models import Constituent, Organisation, PostcodeWard, Representative
from security.roles import Role


def test_the_demo_office_gets_realistic_records_once(office, caseworker, manager):
    people = {Role.CASEWORKER: caseworker, Role.MANAGER: manager}
    seed_demo(office, people)
    constituents = Constituent.objects.for_office(office)
    assert 38 <= constituents.count() <= 42
    assert constituents.filter(ward__isnull=False).count() == constituents.exclude(postcode="").count()
    assert constituents.filter(in_constituency="no").exists()
    assert PostcodeWard.objects.for_office(office).count() >= 10
    assert Representative.objects.for_office(office).count() == 3
    assert {"Northtown Borough Council", "Eastley Homes", "Northshire Police"} <= set(
        Organisation.objects.for_office(office).values_list("name", flat=True)
    )
    pairs = selectors.duplicate_pairs(office=office)
    named = {frozenset((p.first.first_name, p.second.first_name)) for p in pairs[0:20]}
    assert {frozenset(("Jon", "Jonathan")), frozenset(("Sarah", "Sara"))} <= named

    seed_demo(office, people)
    assert Constituent.objects.for_office(office).count() == constituents.count()
    assert Representative.objects.for_office(office).count() == 3


def test_the_demo_uses_no_reachable_contact_details(office, caseworker):
    seed_demo(office, {Role.CASEWORKER: caseworker})
    for person in Constituent.objects.for_office(office).prefetch_related("emails", "phones"):
        assert all(e.email.endswith("@example.com") for e in person.emails.all())
        # Ofcom's drama ranges only.
        assert all(p.number[:9] in {"+44113496", "+44161496", "+44207946"} for p in person.phones.all())
