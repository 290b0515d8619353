"""Built-in word lists for the generator: names, places, postcodes and casework text.

Plain lists rather than Faker: drawing from them with one ``random.Random`` is ~50x faster and
makes the data depend on the seed alone, not on a library version.
"""

from __future__ import annotations

import random


def _words(text: str, sep: str | None = None) -> list[str]:
    return [word.strip() for word in text.split(sep)]


FIRST_NAMES = _words(
    "Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James Leo Alfie Henry Joshua "
    "Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas Mohammed Logan Theo "
    "Harrison Benjamin Mason Sebastian Finley Adam Dylan Zachary Riley Teddy David Toby Jake Louie Elijah "
    "Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Jessica Sophie Grace Evie Sophia Ruby Chloe "
    "Freya Charlotte Daisy Alice Phoebe Florence Sienna Matilda Evelyn Ivy Harper Millie Layla Rosie Esme "
    "Margaret Susan Patricia Linda Barbara Janet Christine Pauline Sandra Carol Maureen Jean Brenda Karen "
    "John Peter Michael David Paul Robert Stephen Andrew Mark Ian Gary Kevin Anthony Brian Keith Colin "
    "Priya Aisha Fatima Zainab Amir Rahul Sunita Deepak Anil Kiran Bogdan Agnieszka Piotr Katarzyna Tomasz"
)

LAST_NAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright "
    "Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill "
    "Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker "
    "Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy "
    "Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman "
    "Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight "
    "Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher "
    "Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West "
    "Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan "
    "Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe "
    "Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton "
    "Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop "
    "Walton Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald "
    "Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers Kowalski "
    "Nowak Wisniewski Okafor Adeyemi Mensah Osei Chowdhury Rahman Iqbal Akhtar Mahmood Nguyen Chen Wong"
)

TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "", "", ""]

STREETS = _words(
    "Church Road, Station Road, Victoria Road, Park Road, Main Street, High Street, Mill Lane, Green Lane, "
    "Manor Road, Kings Road, Queens Road, New Road, Grange Road, Springfield Road, Albert Road, Chapel Street, "
    "Westfield Avenue, Beech Grove, Oak Avenue, Elm Close, Meadow View, Moor Lane, Otley Road, Kirkstall Lane, "
    "Cardigan Road, Headingley Lane, Woodhouse Street, Harehills Lane, Roundhay Road, York Road, Selby Road",
    ",",
)

TOWNS = ["Leeds", "Leeds", "Leeds", "Horsforth", "Pudsey", "Morley", "Otley", "Wetherby", "Garforth", "Rothwell"]

# Real outward codes of one area (Leeds): the postcode trigram index sees realistic shapes.
OUTWARD_CODES = _words(
    "LS1 LS2 LS3 LS4 LS5 LS6 LS7 LS8 LS9 LS10 LS11 LS12 LS13 LS14 LS15 LS16 LS17 LS18 LS19 LS20 "
    "LS21 LS22 LS23 LS25 LS26 LS27 LS28"
)
# Royal Mail never uses C I K M O V in the inward code's letters.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

WARDS = [
    ("E05011395", "Adel and Wharfedale"),
    ("E05011399", "Armley"),
    ("E05011403", "Chapel Allerton"),
    ("E05011408", "Headingley and Hyde Park"),
    ("E05011410", "Horsforth"),
    ("E05011412", "Kirkstall"),
    ("E05011414", "Little London and Woodhouse"),
    ("E05011418", "Moortown"),
    ("E05011420", "Otley and Yeadon"),
    ("E05011421", "Roundhay"),
    ("E05011424", "Weetwood"),
]

EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk", "post.example.uk"]

# Summaries by tag name; tags without their own list use GENERIC_SUMMARIES.
SUMMARIES: dict[str, list[str]] = {
    "Universal Credit": [
        "UC sanction applied after missed appointment",
        "UC advance repayments leaving family short",
        "Universal Credit housing element stopped",
        "Universal Credit payment delayed after change of circumstances",
    ],
    "PIP and disability benefits": [
        "PIP award reduced at review",
        "PIP assessment delayed five months",
        "Attendance Allowance claim refused",
        "PIP mandatory reconsideration outstanding",
    ],
    "Homelessness": [
        "Family in temporary accommodation far from school",
        "Facing eviction, council says not priority need",
        "Sofa surfing since relationship breakdown",
    ],
    "Disrepair": [
        "Damp and mould in child's bedroom",
        "Housing association not fixing broken boiler",
        "Leaking roof reported six times",
    ],
    "Social housing allocation": ["Stuck in band C for four years", "Needs ground floor flat after stroke"],
    "Private renting": ["Section 21 notice served after repair request", "Landlord withholding deposit"],
    "Visa applications": [
        "Spouse visa decision overdue",
        "Visitor visa refused for mother's funeral",
        "Skilled worker visa extension delayed",
    ],
    "Passports": ["Passport not returned before holiday", "Child's first passport application stuck"],
    "Settlement and citizenship": ["EU Settlement Scheme status not showing", "Naturalisation application lost"],
    "NHS waiting times": [
        "Hip operation cancelled twice",
        "Waiting 18 months for neurology referral",
        "Cancer referral not seen within two weeks",
    ],
    "GP and primary care": ["Cannot register with an NHS dentist", "GP surgery phone lines always engaged"],
    "Mental health": ["CAMHS waiting list over a year", "Adult mental health crisis team not responding"],
    "SEND and EHCPs": ["EHCP not issued within 20 weeks", "School cannot meet needs in EHCP"],
    "School admissions": ["Twins offered places at different schools", "School transport refused"],
    "Antisocial behaviour": ["Neighbour noise every night", "Youths gathering at the park after dark"],
    "Roads and potholes": ["Pothole damaged car tyre", "Speeding on school road", "Parking on pavements"],
    "HMRC": ["Wrong tax code for two years", "Self-assessment penalty appeal", "Tax refund not received"],
    "Child maintenance": ["CMS not collecting arrears", "CMS calculation ignores shared care"],
    "Flooding": ["Garden floods every winter", "Sewage overflow into river"],
    "Carer's Allowance": ["Carer's Allowance overpayment demand", "Carer's Allowance claim lost"],
    "Debt": ["Bailiffs chasing council tax arrears", "Debt collection letters for a debt already paid"],
    "Cost of living": ["Energy bills doubled, cannot afford heating", "Refused household support fund"],
    "Utilities": ["Water bill tripled after meter fitted", "Broadband outage for three weeks"],
    "DVLA and licensing": ["Driving licence renewal delayed by medical review", "DVLA lost V5C logbook"],
    "State Pension": ["State Pension forecast wrong after NI gaps", "Pension credit claim delayed"],
    "Planning applications": ["Objection to extension overlooking garden", "Phone mast planning application"],
    "Adult social care": ["Care package cut without assessment", "Care home fees dispute"],
    "Courts and tribunals": ["Employment tribunal hearing postponed again", "Family court delay"],
}
GENERIC_SUMMARIES = [
    "Complaint about delay in responding",
    "Asks for the MP's help with a decision",
    "Follow-up to earlier enquiry",
    "Request for a meeting with the MP",
]

DESCRIPTION_SENTENCES = [
    "The constituent has written several times without a reply.",
    "They have already been through the complaints process and are unhappy with the outcome.",
    "The household includes two young children and an elderly parent.",
    "They are worried about the effect on their health.",
    "The constituent has a disability and needs correspondence in large print.",
    "They were told a decision would be made within eight weeks, and it has been six months.",
    "The constituent asks that the MP raise this directly with the minister.",
    "They have provided copies of the letters they received.",
    "The constituent works shifts and prefers contact by email.",
    "A neighbour is helping them with the paperwork.",
]

NOTE_OPENINGS = [
    "Called the constituent",
    "Spoke to the constituent",
    "Emailed the constituent",
    "Left a voicemail for the constituent",
    "Wrote to the council",
    "Raised with the MP hotline",
    "Chased the department",
    "Received a reply from the agency",
    "Met the constituent at the surgery",
    "Checked the portal",
]
NOTE_MIDDLES = [
    "to confirm the details of the claim",
    "about the latest letter they received",
    "to ask for their reference number",
    "to explain the next steps",
    "about the delay in the decision",
    "to ask for signed consent",
    "about the evidence still needed",
    "regarding the appeal deadline",
    "about the outcome of the review",
    "to update them on our enquiry",
]
NOTE_ENDINGS = [
    "They will send copies of the documents.",
    "Awaiting a response within 20 working days.",
    "They were grateful for the update.",
    "Next chase due in three weeks.",
    "The department says a decision is imminent.",
    "Escalated to the caseworker's manager.",
    "No change since last week.",
    "They have a hearing date next month.",
    "",
]


def note_text(rng: random.Random) -> str:
    """One realistic timeline note, assembled from fragments so notes vary."""
    ending = rng.choice(NOTE_ENDINGS)
    return f"{rng.choice(NOTE_OPENINGS)} {rng.choice(NOTE_MIDDLES)}. {ending}".strip()


def description_text(rng: random.Random) -> str:
    return " ".join(rng.sample(DESCRIPTION_SENTENCES, rng.randint(1, 3)))


def summary_for(tag_name: str, rng: random.Random) -> str:
    return rng.choice(SUMMARIES.get(tag_name, GENERIC_SUMMARIES))


def postcode_pool(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct, real-looking postcodes of the area ('LS6 3QT')."""
    found: set[str] = set()
    while len(found) < size:
        inward = f"{rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        found.add(f"{rng.choice(OUTWARD_CODES)} {inward}")
    return sorted(found)
