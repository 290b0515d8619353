"""The default tag vocabulary every office starts with: categories, tags and their synonyms.

Small on purpose (teams with thousands of ad-hoc tags cannot find anything); managers add,
rename, retire and merge from here.
"""

from __future__ import annotations

# category -> [(tag, description, synonyms)]
DEFAULT_VOCABULARY: dict[str, list[tuple[str, str, list[str]]]] = {
    "Housing": [
        ("Social housing allocation", "Waiting lists, bidding, banding", ["council house", "housing list", "bidding"]),
        ("Homelessness", "Homeless applications, temporary accommodation", ["temporary accommodation", "sofa surfing"]),
        ("Disrepair", "Damp, mould and repairs by landlords", ["damp", "mould", "repairs"]),
        ("Private renting", "Evictions, deposits, landlord disputes", ["eviction", "section 21", "landlord"]),
    ],
    "Benefits and social security": [
        ("Universal Credit", "Claims, sanctions, deductions", ["UC", "sanction", "advance"]),
        (
            "PIP and disability benefits",
            "PIP, DLA, Attendance Allowance assessments and appeals",
            ["PIP", "DLA", "attendance allowance"],
        ),
        ("Carer's Allowance", "Claims and overpayments", ["carers allowance", "overpayment"]),
        ("Legacy benefits", "ESA, JSA, Housing Benefit, tax credits", ["ESA", "JSA", "housing benefit", "tax credits"]),
    ],
    "Immigration": [
        ("Visa applications", "Visit, family and work visas", ["visa", "spouse visa"]),
        ("Asylum", "Claims, support and accommodation", ["refugee", "asylum support"]),
        ("Settlement and citizenship", "ILR, EU Settlement Scheme, naturalisation", ["ILR", "EUSS", "naturalisation"]),
        ("Passports", "HM Passport Office delays", ["passport", "HMPO"]),
    ],
    "Health and social care": [
        ("NHS waiting times", "Referrals, operations, appointments", ["waiting list", "operation", "hospital"]),
        ("GP and primary care", "Access to GPs, dentists, pharmacies", ["GP", "dentist", "surgery"]),
        ("Mental health", "Adult and children's mental health services", ["CAMHS", "counselling"]),
        ("Adult social care", "Care packages, care homes, assessments", ["care home", "care package"]),
    ],
    "Education and SEND": [
        ("School admissions", "Places, appeals, transport to school", ["school place", "admission appeal"]),
        ("SEND and EHCPs", "Special educational needs, EHC plans", ["EHCP", "SEN", "special needs"]),
        ("Further and higher education", "Colleges, universities, student finance", ["student loan", "university"]),
    ],
    "Crime and policing": [
        ("Antisocial behaviour", "Nuisance neighbours, youth disorder", ["ASB", "nuisance", "neighbour dispute"]),
        ("Policing response", "Police handling of reports and complaints", ["police complaint", "999"]),
        ("Victims of crime", "Support for victims, fraud, scams", ["fraud", "scam", "victim support"]),
    ],
    "Transport": [
        ("Roads and potholes", "Road repairs, speeding, parking", ["pothole", "speeding", "parking"]),
        ("Public transport", "Buses and trains", ["bus", "train", "rail"]),
        ("DVLA and licensing", "Driving licences, vehicle tax", ["driving licence", "DVLA", "medical licence"]),
    ],
    "Planning": [
        ("Planning applications", "Objections and support for applications", ["planning objection", "extension"]),
        ("Housing developments", "New estates and infrastructure", ["new build", "development"]),
    ],
    "Environment": [
        ("Flooding", "Flood risk, drainage, sewage", ["flood", "drainage", "sewage"]),
        ("Pollution and waste", "Air quality, fly-tipping, bin collections", ["fly-tipping", "bins", "air quality"]),
        ("Animal welfare", "Animal cruelty, dangerous dogs", ["animals", "dog"]),
    ],
    "Employment": [
        ("Workplace disputes", "Unfair dismissal, pay, employment rights", ["dismissal", "wages", "tribunal"]),
        ("Jobseeking and skills", "Jobcentre support, apprenticeships", ["jobcentre", "apprenticeship"]),
    ],
    "Tax and money": [
        ("HMRC", "Tax codes, refunds, self-assessment", ["tax code", "tax refund", "self assessment"]),
        ("Debt", "Council tax arrears, bailiffs, debt advice", ["bailiffs", "arrears", "council tax"]),
        ("Cost of living", "Energy bills, food banks, hardship funds", ["energy bills", "food bank"]),
    ],
    "Consumer": [
        ("Utilities", "Energy, water, broadband disputes", ["energy supplier", "water bill", "broadband"]),
        ("Banking and insurance", "Bank accounts, insurance claims", ["bank", "insurance"]),
    ],
    "Family": [
        ("Child maintenance", "Child Maintenance Service cases", ["CMS", "CSA"]),
        ("Children's services", "Child protection, fostering, adoption", ["social services", "fostering"]),
    ],
    "Justice": [
        ("Courts and tribunals", "Delays in courts and tribunals", ["court delay", "tribunal"]),
        ("Prisons and probation", "Prisoners, probation, release", ["prison", "probation"]),
    ],
    "Pensions": [
        ("State Pension", "State Pension age, National Insurance records", ["WASPI", "NI record"]),
        ("Workplace pensions", "Occupational and private pensions", ["pension scheme"]),
    ],
    "Armed forces and veterans": [
        ("Veterans' support", "Veterans' housing, health, pensions", ["veteran", "armed forces pension"]),
        ("Serving personnel", "Service families, postings", ["service family"]),
    ],
    "Local services": [
        ("Council services", "Complaints about council services", ["council complaint"]),
        ("Libraries and leisure", "Closures and access", ["library", "leisure centre"]),
    ],
    "Other": [
        ("Invitations and requests", "Invitations to the MP, letters of support", ["invitation", "letter of support"]),
        ("General enquiry", "Anything not covered above", ["misc"]),
    ],
}


def vocabulary_size() -> int:
    return sum(len(tags) for tags in DEFAULT_VOCABULARY.values())
