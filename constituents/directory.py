"""The starter directory of national bodies every office begins with.

Copied into each new office by an office initialiser and into existing offices by a data
migration; offices then add their councils and local bodies and edit these freely. Contact
email addresses, postal addresses and MP hotline details are deliberately left blank: they
change, and each office records the ones it is given. The 20-working-day target is the one
the Cabinet Office publishes for departments and their agencies answering MPs' letters;
other bodies set their own, so theirs is left empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ENGLAND_AND_WALES = "england-and-wales"
SCOTLAND = "scotland"
NORTHERN_IRELAND = "northern-ireland"
ALL_NATIONS = (ENGLAND_AND_WALES, SCOTLAND, NORTHERN_IRELAND)
GOVERNMENT_TARGET = 20  # working days


@dataclass(frozen=True)
class StarterBody:
    name: str
    kind: str
    required_identifiers: tuple[str, ...] = ()
    requires_written_consent: bool = False
    reply_target: int | None = None
    notes: str = ""
    nations: tuple[str, ...] = ALL_NATIONS


STARTER_DIRECTORY: tuple[StarterBody, ...] = (
    StarterBody(
        "Department for Work and Pensions",
        "government",
        ("National Insurance number", "Date of birth", "Which benefit"),
        reply_target=GOVERNMENT_TARGET,
        notes="Universal Credit, PIP, ESA, State Pension and other benefits.",
    ),
    StarterBody(
        "Child Maintenance Service",
        "agency",
        ("Child Maintenance Service case number", "National Insurance number"),
        reply_target=GOVERNMENT_TARGET,
        notes="Part of the Department for Work and Pensions.",
        nations=(ENGLAND_AND_WALES, SCOTLAND),
    ),
    StarterBody(
        "HM Revenue & Customs",
        "government",
        ("National Insurance number", "Unique Taxpayer Reference (Self Assessment)", "Date of birth"),
        requires_written_consent=True,
        reply_target=GOVERNMENT_TARGET,
        notes="Taxpayer confidentiality: HMRC asks for the constituent's signed authority.",
    ),
    StarterBody(
        "Home Office — UK Visas and Immigration",
        "government",
        (
            "Home Office reference number",
            "Unique Application Number (UAN) or GWF number",
            "Unique Client Identifier (UCI)",
            "Date of birth",
            "Nationality",
        ),
        reply_target=GOVERNMENT_TARGET,
        notes="Visas, settlement, asylum and citizenship applications.",
    ),
    StarterBody(
        "HM Passport Office",
        "agency",
        ("Passport application reference number", "Date of birth"),
        reply_target=GOVERNMENT_TARGET,
        notes="An agency of the Home Office.",
    ),
    StarterBody(
        "Driver and Vehicle Licensing Agency (DVLA)",
        "agency",
        ("Driving licence number", "Vehicle registration number", "Date of birth"),
        reply_target=GOVERNMENT_TARGET,
        notes="Driving licences (including medical reviews), vehicle tax and registration.",
        nations=(ENGLAND_AND_WALES, SCOTLAND),
    ),
    StarterBody(
        "Ministry of Justice — HM Courts & Tribunals Service",
        "agency",
        ("Case or claim number", "Court or tribunal"),
        reply_target=GOVERNMENT_TARGET,
        notes="Courts and tribunals administration. Judges' decisions cannot be raised by an MP.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "HM Prison and Probation Service",
        "agency",
        ("Prison number", "Date of birth", "Prison or probation office"),
        reply_target=GOVERNMENT_TARGET,
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Office of the Public Guardian",
        "agency",
        ("Lasting power of attorney or deputyship case number",),
        reply_target=GOVERNMENT_TARGET,
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Legal Aid Agency",
        "agency",
        ("Legal aid reference number",),
        reply_target=GOVERNMENT_TARGET,
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Department for Education",
        "government",
        ("School, college or nursery name",),
        reply_target=GOVERNMENT_TARGET,
        notes="Schools policy and funding. Individual school places and SEND support are the council's.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Foreign, Commonwealth & Development Office",
        "government",
        ("Full name and date of birth of the person abroad", "Country they are in"),
        requires_written_consent=True,
        reply_target=GOVERNMENT_TARGET,
        notes="Consular help for British nationals abroad: the person abroad must consent.",
    ),
    StarterBody(
        "Veterans UK",
        "agency",
        ("Service number", "National Insurance number"),
        reply_target=GOVERNMENT_TARGET,
        notes="Armed forces pensions and compensation; part of the Ministry of Defence.",
    ),
    StarterBody(
        "Disclosure and Barring Service",
        "agency",
        ("DBS application reference number", "Date of birth"),
        reply_target=GOVERNMENT_TARGET,
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Student Loans Company",
        "agency",
        ("Customer reference number", "Date of birth"),
        notes="Student finance applications and repayments.",
    ),
    StarterBody(
        "Environment Agency",
        "agency",
        ("Incident reference number", "Location"),
        notes="Flooding, pollution incidents and environmental permits in England.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Ofgem",
        "agency",
        ("Energy supplier",),
        notes=(
            "The energy regulator. It does not resolve individual complaints: those go to the "
            "supplier first and then the Energy Ombudsman."
        ),
        nations=(ENGLAND_AND_WALES, SCOTLAND),
    ),
    StarterBody(
        "Energy Ombudsman",
        "ombudsman",
        ("Energy supplier", "Supplier's final response or deadlock letter", "Energy Ombudsman reference"),
        requires_written_consent=True,
        notes="Takes complaints after the supplier's final response, or eight weeks after complaining.",
        nations=(ENGLAND_AND_WALES, SCOTLAND),
    ),
    StarterBody(
        "NHS England",
        "nhs",
        ("NHS number", "Date of birth"),
        requires_written_consent=True,
        notes="Health records are special category data: have the patient's written consent.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Parliamentary and Health Service Ombudsman",
        "ombudsman",
        ("The body complained about", "Its final response to the complaint", "Ombudsman case reference"),
        requires_written_consent=True,
        notes=(
            "Complaints about UK government departments and agencies must be referred by an MP; "
            "the complainant signs the ombudsman's complaint form."
        ),
    ),
    StarterBody(
        "Local Government and Social Care Ombudsman",
        "ombudsman",
        ("The council or care provider complained about", "Its final response", "Ombudsman case reference"),
        requires_written_consent=True,
        notes="Councils and adult social care providers in England, after their own complaints process.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Housing Ombudsman Service",
        "ombudsman",
        ("Landlord's name", "Landlord's final complaint response", "Ombudsman case reference"),
        requires_written_consent=True,
        notes="Complaints about social landlords (housing associations and council housing) in England.",
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Financial Ombudsman Service",
        "ombudsman",
        ("Business complained about", "Its final response", "Ombudsman case reference"),
        requires_written_consent=True,
    ),
    StarterBody(
        "Public Services Ombudsman for Wales",
        "ombudsman",
        ("The body complained about", "Its final response", "Ombudsman case reference"),
        requires_written_consent=True,
        nations=(ENGLAND_AND_WALES,),
    ),
    StarterBody(
        "Scottish Public Services Ombudsman",
        "ombudsman",
        ("The body complained about", "Its final response", "Ombudsman case reference"),
        requires_written_consent=True,
        nations=(SCOTLAND,),
    ),
    StarterBody(
        "Northern Ireland Public Services Ombudsman",
        "ombudsman",
        ("The body complained about", "Its final response", "Ombudsman case reference"),
        requires_written_consent=True,
        nations=(NORTHERN_IRELAND,),
    ),
)


def bodies_for(nation: str) -> Iterable[StarterBody]:
    return (body for body in STARTER_DIRECTORY if nation in body.nations)


def install_directory(office_id: int, nation: str, organisation_model: Any) -> int:
    """Add the starter bodies the office does not have yet (matched by name). Returns how many.

    Takes the model class so the data migration can pass its historical model. Existing rows
    are never touched: the office may have edited them.
    """
    manager = organisation_model._base_manager
    existing = set(manager.filter(office_id=office_id).values_list("name", flat=True))
    missing = [
        organisation_model(
            office_id=office_id,
            name=body.name,
            kind=body.kind,
            required_identifiers=list(body.required_identifiers),
            requires_written_consent=body.requires_written_consent,
            reply_target=body.reply_target,
            reply_target_unit="working",
            notes=body.notes,
        )
        for body in bodies_for(nation)
        if body.name not in existing
    ]
    # ignore_conflicts: an office created concurrently with this install keeps one row per name.
    manager.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
