"""The starter directory: national bodies copied into every office, once."""

import importlib

from constituents.directory import STARTER_DIRECTORY, bodies_for, install_directory
from constituents.models import Organisation
from security import office_setup
from security import services as security_services


def _new_office(slug, nation="england-and-wales"):
    office, _, _ = security_services.office_create(
        name=f"Office {slug}",
        constituency="Northtown",
        slug=slug,
        mp_name="Sam MP",
        manager_email=f"manager@{slug}.example",
        manager_name="Morgan",
        nation=nation,
    )
    return office


def test_a_new_office_gets_the_national_bodies(db):
    office = _new_office("northtown")
    directory = {o.name: o for o in Organisation.objects.for_office(office)}
    for name in (
        "Department for Work and Pensions",
        "HM Revenue & Customs",
        "Home Office — UK Visas and Immigration",
        "HM Passport Office",
        "Driver and Vehicle Licensing Agency (DVLA)",
        "Child Maintenance Service",
        "NHS England",
        "Parliamentary and Health Service Ombudsman",
        "Local Government and Social Care Ombudsman",
    ):
        assert name in directory
    dwp = directory["Department for Work and Pensions"]
    assert (dwp.kind, dwp.reply_target, dwp.reply_target_unit) == ("government", 20, "working")
    assert "National Insurance number" in dwp.required_identifiers
    assert "Home Office reference number" in directory["Home Office — UK Visas and Immigration"].required_identifiers
    assert directory["Parliamentary and Health Service Ombudsman"].requires_written_consent
    assert all(o.email == "" and o.hotline == "" for o in directory.values())  # nothing invented


def test_every_government_department_has_the_20_working_day_target():
    departments = [body for body in STARTER_DIRECTORY if body.kind == "government"]
    assert departments
    assert all(body.reply_target == 20 for body in departments)


def test_installing_again_adds_nothing_and_keeps_the_offices_edits(db):
    office = _new_office("eastley")
    count = Organisation.objects.for_office(office).count()
    dwp = Organisation.objects.for_office(office).get(name="Department for Work and Pensions")
    dwp.hotline = "Account manager: see the shared drive"
    dwp.save()
    Organisation.objects.for_office(office).get(name="HM Passport Office").delete()
    office_setup.initialise(office)
    assert install_directory(office.pk, office.nation, Organisation) == 0
    assert Organisation.objects.for_office(office).count() == count
    dwp.refresh_from_db()
    assert dwp.hotline == "Account manager: see the shared drive"


def test_offices_in_scotland_get_their_own_ombudsman(db):
    scottish = {o.name for o in Organisation.objects.for_office(_new_office("glen", nation="scotland"))}
    assert "Scottish Public Services Ombudsman" in scottish
    assert "Local Government and Social Care Ombudsman" not in scottish
    assert "NHS England" not in scottish
    assert "Department for Work and Pensions" in scottish


def test_each_office_has_its_own_copy(db):
    first, second = _new_office("one"), _new_office("two")
    dwp = Organisation.objects.for_office(first).get(name="Department for Work and Pensions")
    dwp.delete()
    assert Organisation.objects.for_office(second).filter(name="Department for Work and Pensions").exists()


def test_the_data_migration_gives_existing_offices_the_directory(office, other_office):
    from django.apps import apps

    migration = importlib.import_module("constituents.migrations.0004_starter_directory")
    assert not Organisation.objects.for_office(office).exists()  # factories skip the initialisers
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    for each in (office, other_office):
        assert Organisation.objects.for_office(each).count() == len(list(bodies_for(each.nation)))
