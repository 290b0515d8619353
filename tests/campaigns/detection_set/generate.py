"""Writes the labelled campaign-detection set (run once; ``messages.jsonl`` is committed).

    python tests/campaigns/detection_set/generate.py

Written before the detector was tuned, and not changed to suit it. Each line is one raw email
with its labels:

- ``campaign``: the campaign it belongs to, or null for ordinary mail and for groups that must
  not become a campaign (fewer than five senders, one person writing five times, five letters
  spread over more than the 14-day window);
- ``personalised``: the sender added substantial text of their own (a personal story of 40 or
  more words), as opposed to an unchanged copy, a changed greeting or sign-off, reordered or
  dropped paragraphs, a few changed words, or one short added sentence;
- ``minute``: when it arrives, in minutes after the start of the set;
- ``variant``: what was done to the template, for reading failures.

Campaign copies come with different greetings and sign-offs, sender details (address, postcode,
phone), inserted sentences, reordered or dropped paragraphs, HTML-only bodies, platform footers
and sender addresses, and quoted history. Ordinary mail is casework on the same subjects, some of
it quoting a sentence or two of a campaign template, plus two campaigns on one subject with
different texts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20260301
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
OFFICE_ADDRESS = "jo.bloggs.mp@parliament.example"
MP = {"full": "Jo Bloggs MP", "short": "Ms Bloggs", "first": "Jo"}

# --- Campaign templates: (key, subject, paragraphs, platform or None) ------------------------------
TEMPLATES = [
    (
        "rivers",
        "Stop sewage dumping in our rivers",
        [
            "I am writing to ask you to take urgent action to stop water companies dumping raw sewage "
            "into our rivers and seas. Last year storm overflows discharged untreated sewage hundreds of "
            "thousands of times, and our local river is now one of the most polluted in the region.",
            "Water companies have paid billions of pounds to shareholders while failing to invest in the "
            "infrastructure we need. It cannot be right that profits come before the health of our "
            "rivers, our wildlife and the people who swim, fish and paddle in them.",
            "Please will you support a legally binding target to end sewage discharges into bathing "
            "waters and sensitive sites by 2030, and back tougher fines that cannot simply be passed on "
            "to customers through higher bills.",
            "I would be grateful if you could tell me what you will do in Parliament on this issue, "
            "and whether you will write to the Secretary of State on behalf of your constituents.",
        ],
        "38 Degrees",
    ),
    (
        "buses",
        "Save our local bus services",
        [
            "As your constituent I am deeply worried about the cuts to bus services across our area. "
            "Several routes have been withdrawn this year and many villages now have no service at all "
            "after six in the evening or on Sundays.",
            "For people who do not drive, buses are a lifeline. They take us to work, to school, to "
            "hospital appointments and to see our families. When a route disappears, older people and "
            "young people are the first to become isolated.",
            "I am asking you to press the government for long-term funding for local bus networks, so "
            "that councils can plan services for years rather than months, and to support the "
            "extension of the fare cap beyond this year.",
            "Please let me know what steps you will take to protect the bus routes in our constituency.",
        ],
        None,
    ),
    (
        "bees",
        "Ban bee-killing pesticides for good",
        [
            "I am contacting you because bees and other pollinators are in serious trouble. Neonicotinoid "
            "pesticides are known to harm bees even in tiny doses, yet emergency authorisations have "
            "allowed them back onto our fields year after year.",
            "A third of the food we eat depends on pollinators. Without them our farmers, our gardens "
            "and our countryside will suffer, and the damage may not be reversible.",
            "Will you call on the minister to rule out any further emergency use of neonicotinoids and to "
            "publish a clear plan to cut pesticide use, with proper support for farmers making the change?",
            "Thank you for taking the time to read my email. I look forward to hearing your views.",
        ],
        "Friends of the Earth",
    ),
    (
        "childcap",
        "Scrap the two-child limit",
        [
            "I am writing to urge you to support scrapping the two-child limit on Universal Credit and "
            "Child Tax Credit. The policy means that families with a third or subsequent child born "
            "after April 2017 receive no extra support for that child.",
            "Around one and a half million children live in households affected by the limit, and "
            "research by charities shows it has pushed many of them into poverty without changing how "
            "many children families have.",
            "Removing the limit is one of the most cost-effective ways to reduce child poverty quickly. "
            "Every child deserves the same chance in life, whatever the size of their family.",
            "Please will you speak up for the children in our constituency and press the government to "
            "end the two-child limit in the next budget?",
        ],
        None,
    ),
    (
        "greenbelt",
        "Protect the Westfield green belt",
        [
            "I am writing about the proposal to release land at Westfield Meadows from the green belt for "
            "a development of more than nine hundred homes. I strongly object to this plan.",
            "The meadows are a vital open space used every day by walkers, families and schools. They "
            "provide a home for skylarks, owls and rare wildflowers, and they help to prevent flooding "
            "in the villages downstream.",
            "Our roads, schools and GP surgeries are already at capacity. Building on this scale without "
            "new infrastructure would put unbearable pressure on local services.",
            "I urge you to make representations to the planning inspector and to the council opposing the "
            "release of this land, and to press for brownfield sites to be used first.",
        ],
        None,
    ),
    (
        "nurses",
        "Fair pay for nurses",
        [
            "I am asking you to stand up for fair pay for nurses. After more than a decade of pay falling "
            "behind inflation, experienced nurses are leaving the profession and thousands of posts are "
            "vacant across the NHS.",
            "Staff shortages mean longer waits and less time with every patient. Nurses are telling us "
            "they are exhausted and that they cannot provide the care they were trained to give.",
            "Will you call on the government to agree a pay rise that properly reflects the skill and "
            "responsibility of nursing, and to fund it with new money rather than from existing NHS budgets?",
        ],
        "Write to your MP tool",
    ),
    (
        "airquality",
        "Support the Clean Air Bill",
        [
            "Air pollution contributes to tens of thousands of early deaths in the UK every year, and "
            "children growing up near busy roads are more likely to develop asthma and reduced lung "
            "function.",
            "The Clean Air Bill would make the World Health Organisation guideline limits for fine "
            "particulate matter legally binding and give people a right to breathe clean air.",
            "I am asking you to support the Bill at its second reading and to encourage your colleagues "
            "to do the same. Please reply to let me know whether you will back it.",
        ],
        "Greenpeace",
    ),
    (
        "hospice",
        "Funding for St Cuthbert's Hospice",
        [
            "St Cuthbert's Hospice cares for hundreds of local families every year, but it receives less "
            "than a third of its funding from the NHS and is facing a deficit of over a million pounds.",
            "Without urgent help the hospice has said it may have to close beds and reduce its community "
            "nursing service, which supports people who wish to die at home.",
            "I am asking you to raise this with the Health Secretary and to support a fairer national "
            "funding settlement for hospices, so that end of life care does not depend on charity shops "
            "and sponsored walks.",
            "Please could you also visit the hospice to see the work they do for our community.",
        ],
        None,
    ),
    # Same subject as "rivers", different organisation and text: must stay a separate campaign.
    (
        "rivers2",
        "Clean water for the River Wend",
        [
            "The River Wend used to be full of trout and kingfishers. Today anglers report dead fish after "
            "every heavy rainfall and warning signs tell families not to let children or dogs into the water.",
            "Monitoring by volunteers has found high levels of E. coli downstream of the treatment works on "
            "most days this summer. The regulator has not inspected the works for three years.",
            "I call on you to demand an independent investigation into the treatment works, to ask the "
            "Environment Agency to increase inspections, and to support a bathing water designation for "
            "the stretch at Millford so that the water company must clean it up.",
        ],
        None,
    ),
]

# Groups that look like campaigns and must not become one.
BELOW_THRESHOLD = (
    "library",
    "Keep Northtown library open",
    [
        "The council plans to cut the opening hours of Northtown library to two days a week. The library "
        "is used by children after school, by job seekers who need the computers, and by older people "
        "for whom it is a place to meet friends.",
        "Please will you write to the council to ask them to find the savings elsewhere and keep the "
        "library open six days a week as it is now.",
    ],
)
REPEATER = (
    "repeat",
    "Noise from the Station Road factory",
    [
        "The factory on Station Road is running its extraction fans through the night again. The noise "
        "starts at about eleven and continues until five in the morning, and we have had no proper sleep "
        "for a week.",
        "The council's environmental health team has not replied to my last three complaints. Please can "
        "you contact them on my behalf and ask them to visit at night when the noise is happening.",
    ],
)
SLOW = (
    "slow",
    "Speed cameras on the A614",
    [
        "There have been three serious accidents on the A614 near the Moor Lane junction since January. "
        "Drivers regularly exceed the limit on the straight section past the school.",
        "I am asking you to support the parish council's request for average speed cameras along this "
        "stretch before someone is killed.",
    ],
)

# --- Personal stories (substantial own text) and short asides (not substantial) -------------------
STORIES = {
    "rivers": [
        "My children learned to swim in the river at Millford, but last summer my son was ill for a week "
        "after a school trip there.",
        "I have lived beside the river for forty years and I have never seen it in such a poor state.",
        "We run a small canoe hire business and bookings have halved since the pollution warnings went up.",
        "My dog became very sick after drinking from the river near the treatment works and the vet bill "
        "came to over six hundred pounds.",
        "I volunteer with the river trust and we pull dead fish out of the water after almost every storm.",
        "As a wild swimmer I now check the sewage map every morning before I get in, and most days I decide not to.",
    ],
    "buses": [
        "I am seventy eight and I gave up driving two years ago. The number 34 was my only way to get to "
        "the hospital for my eye appointments, and since it was cut I have had to rely on neighbours.",
        "My daughter is sixteen and now has to leave home at half past six to catch the only bus that gets "
        "her to college on time.",
        "I work night shifts at the distribution centre and there is no bus home after midnight, so I spend "
        "a large part of my wages on taxis.",
        "Since the Sunday service stopped I have not been able to visit my husband in the care home at "
        "weekends, which is when the staff say he is most unsettled.",
        "I use a wheelchair and the buses are the only accessible transport in our village.",
    ],
    "bees": [
        "I keep four hives on my allotment and last spring I lost two colonies within a week of the "
        "neighbouring field being sown.",
        "My grandchildren and I have been counting bees in the garden for five years for a wildlife survey "
        "and the numbers have fallen every year.",
        "I am a farmer myself and I have stopped using these chemicals. Yields have held up and I see far "
        "more insects in the hedges.",
        "I teach at the primary school and our pupils planted a wildflower meadow for pollinators this year.",
    ],
    "childcap": [
        "I am a single mother of three and I work part time as a teaching assistant. Because my youngest "
        "was born in 2018 we get nothing for her, and some weeks I skip meals so the children can eat.",
        "My husband and I both work, but when our twins were born we found that only one of them counted "
        "for Universal Credit. We have had to use the food bank twice this winter.",
        "I volunteer at the food bank in the town centre and every week we see families with three or more "
        "children who cannot make their money last the month.",
        "As a health visitor I meet families every day who are struggling because of this policy.",
    ],
    "greenbelt": [
        "I walk my dogs across the meadows every morning and I often see deer and hares there.",
        "Our house in Lower Westfield flooded in 2020 when the brook burst its banks, and I am frightened "
        "that concreting over the meadows will make it happen again.",
        "My son has been waiting eleven weeks for a GP appointment already and I cannot see how another "
        "nine hundred homes will be managed.",
        "I chair the residents association and more than four hundred people came to our public meeting "
        "about this proposal.",
    ],
    "nurses": [
        "I have been a nurse for twenty two years. I love my job, but I am now working extra shifts at a "
        "supermarket to pay my mortgage, and several colleagues have left for agency work or for Australia.",
        "My wife is a children's nurse and she regularly comes home after a thirteen hour shift without "
        "having had a break or a drink of water.",
        "When my mother was in hospital last year the nurses were wonderful, but there were only two of "
        "them for twenty eight patients at night.",
        "I am a student nurse and I am seriously considering whether I can afford to stay in the profession.",
    ],
    "airquality": [
        "My daughter has asthma and her attacks are always worse on the days when the traffic on the ring "
        "road is at its heaviest.",
        "We live on Station Road and the black dust on our window sills has to be wiped away every day.",
        "I am a GP and I see the effects of poor air on my patients' lungs every week.",
        "I cycle to work along the bypass and I have started wearing a mask because of the fumes.",
    ],
    "hospice": [
        "The hospice cared for my father in the last weeks of his life and the nurses made it possible "
        "for him to die peacefully at home, as he wished.",
        "I have volunteered in the hospice shop for nine years and I know how hard everyone works to raise money.",
        "My wife received wonderful care from the community team, and I cannot bear the thought of other "
        "families going without it.",
        "Our running club has raised money for St Cuthbert's every year since 2015.",
    ],
    "rivers2": [
        "I have fished the Wend since I was a boy and I have never known the water so bad.",
        "Our family used to picnic at Millford every summer, but we stopped going after my daughter was ill.",
        "I live on the riverbank and the smell after heavy rain is now so strong that we cannot open the windows.",
        "I am one of the volunteers who takes the water samples and the results have shocked all of us.",
    ],
}
EXTRA_STORY = [
    "This matters enormously to my family and to many of our neighbours.",
    "I have written to the council about this too but I have not had a reply.",
    "Please do not send me a standard reply; I would like to know what you personally think.",
    "I voted for you at the last election and I hope you will listen.",
    "I would be happy to meet you at one of your surgeries to talk about it.",
    "I have also signed the petition and shared it with friends.",
]
ASIDES = [
    "This is really important to me.",
    "I hope you will give this your full support.",
    "Many people round here feel the same way.",
    "Please take this seriously.",
    "I look forward to your reply.",
    "Thank you for all your work in the constituency.",
    "It affects all of us.",
]
SYNONYMS = {
    "urgent": "immediate",
    "worried": "concerned",
    "strongly": "firmly",
    "grateful": "thankful",
    "serious": "grave",
    "ask": "request",
    "support": "back",
    "vital": "essential",
}

# --- Ordinary casework, some quoting a sentence of a campaign ------------------------------------
ORDINARY_OPENERS = [
    "I am writing to ask for your help with a problem I have been having with {topic}.",
    "I hope you can help me. I have run out of other places to turn about {topic}.",
    "I was advised by Citizens Advice to contact you about {topic}.",
    "Sorry to trouble you, but I need some advice about {topic}.",
    "I am contacting you on behalf of my elderly mother about {topic}.",
    "Could your office look into {topic} for me please?",
]
ORDINARY_TOPICS = {
    "housing": [
        "the damp in my council flat",
        "my housing association repairs",
        "being moved to temporary accommodation",
        "the mould in my children's bedroom",
    ],
    "benefits": [
        "my Universal Credit sanction",
        "a PIP assessment that went wrong",
        "my Carer's Allowance overpayment",
        "a delay with my pension credit claim",
    ],
    "immigration": [
        "my wife's spouse visa application",
        "my son's passport renewal",
        "a biometric residence permit that never arrived",
    ],
    "health": [
        "a long wait for a hip operation",
        "getting an appointment with a GP",
        "an ambulance that took five hours to arrive",
    ],
    "local": [
        "the potholes on Mill Lane",
        "fly-tipping behind the shops on Church Street",
        "anti-social behaviour in the park near my home",
        "the bins that have not been collected for three weeks",
    ],
}
ORDINARY_DETAILS = [
    "I first raised this in {month} and I have phoned them at least a dozen times since.",
    "Each time I call I am told someone will ring me back, but nobody ever does.",
    "I have attached copies of the letters I have received so far.",
    "My reference number with them is {ref}.",
    "The situation is making my anxiety much worse and I am not sleeping.",
    "I have two young children and I am really struggling to cope.",
    "I work full time and cannot keep taking time off to chase this.",
    "My neighbour had the same problem and it took months to sort out.",
    "The letter I received last week says my claim has been closed, but nobody has told me why.",
    "I have been without heating since the boiler broke down on the {day}.",
    "The inspector came out once but said it was a matter for another department.",
    "I have lived at this address for eleven years and never had a problem until now.",
    "The council told me it was the landlord's responsibility and the landlord told me it was the council's.",
    "I am a full time carer for my husband, who has Parkinson's disease.",
    "My appointment was cancelled on the morning of the operation with no explanation.",
    "I would be grateful for anything you can do to move this forward.",
    "Please could someone from your office call me to discuss it.",
    "I can provide any further information you need.",
]
MONTHS = ["January", "February", "November", "December", "October", "September"]

FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Harry",
    "Mia",
    "Noah",
    "Ivy",
    "Jack",
    "Sophia",
    "Leo",
    "Grace",
    "Oscar",
    "Freya",
    "Charlie",
    "Lily",
    "Arthur",
    "Emily",
    "Thomas",
    "Ella",
    "Alfie",
    "Rosie",
    "Henry",
    "Florence",
    "Theo",
    "Poppy",
    "William",
    "Evie",
    "James",
    "Daisy",
    "Joshua",
    "Alice",
    "Jacob",
    "Sienna",
    "Muhammad",
    "Priya",
    "Aisha",
    "Tomasz",
    "Siobhan",
    "Dylan",
    "Megan",
    "Rhys",
    "Fiona",
    "Callum",
    "Morag",
    "Ewan",
    "Kiran",
    "Yusuf",
    "Zara",
    "Bronwen",
    "Gareth",
    "Niamh",
    "Declan",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Miller",
    "Cox",
    "Hussain",
    "Marshall",
    "Simpson",
    "Price",
    "Anderson",
    "Adams",
    "Wilkinson",
    "Ali",
    "Ahmed",
    "Foster",
    "Ellis",
    "Murphy",
    "Chapman",
    "Mason",
    "Gray",
    "Richards",
    "Webb",
    "Griffiths",
    "Hunt",
]
STREETS = [
    "Mill Lane",
    "Church Street",
    "Station Road",
    "Park Avenue",
    "Victoria Road",
    "The Crescent",
    "Meadow Close",
    "High Street",
    "Orchard Way",
    "Kings Road",
    "Moor Lane",
    "Willow Drive",
]
TOWNS = ["Northtown", "Westfield", "Millford", "Lower Westfield", "Ashby Green"]
# In the office's postcode table (tests add them); others are outside the constituency.
POSTCODES_IN = ["NT1 1AA", "NT1 2AB", "NT2 3CD", "NT3 4EF", "NT4 5GH", "NT5 6JK"]
POSTCODES_OUT = ["ST9 9ZZ", "LS1 4AP", "M1 1AE"]
DOMAINS = ["example.org", "mail.example", "example.net", "post.example", "inbox.example"]

PLATFORMS = {
    "38 Degrees": {
        "domain": "38degrees.org.uk",
        "footer": "This email was sent by a 38 Degrees member using the 38 Degrees website. "
        "38 Degrees is a UK campaigning community.",
        "via": True,
    },
    "Friends of the Earth": {
        "domain": "foe.co.uk",
        "footer": "Sent via the Friends of the Earth action page. Friends of the Earth Trust is a registered charity.",
        "via": False,
    },
    "Write to your MP tool": {
        "domain": "writetothem.com",
        "footer": "This message was sent using WriteToThem.com, a site run by mySociety. Replies go straight "
        "to the constituent.",
        "via": False,
    },
    "Greenpeace": {
        "domain": "greenpeace.org.uk",
        "footer": "You are receiving this because a constituent took action with Greenpeace UK. "
        "Unsubscribe | Privacy policy",
        "via": True,
    },
}


class Writer:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.rows: list[dict] = []
        self.used_senders: set[str] = set()
        self.serial = 0

    # --- people ------------------------------------------------------------------------------
    def person(self) -> dict:
        rng = self.rng
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            address = f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
            if address not in self.used_senders:
                self.used_senders.add(address)
                break
        inside = rng.random() < 0.8
        return {
            "first": first,
            "last": last,
            "email": address,
            "postcode": rng.choice(POSTCODES_IN if inside else POSTCODES_OUT),
            "street": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            "town": rng.choice(TOWNS),
            "phone": f"07700 9{rng.randint(10000, 99999)}",
        }

    def greeting(self) -> str:
        return self.rng.choice(
            [
                f"Dear {MP['full']},",
                f"Dear {MP['short']},",
                f"Dear {MP['first']},",
                "Hello,",
                f"Hi {MP['first']},",
                "Dear Sir or Madam,",
                f"To {MP['full']}",
                "",
            ]
        )

    def signoff(self, who: dict) -> list[str]:
        rng = self.rng
        closing = rng.choice(
            [
                "Yours sincerely,",
                "Kind regards,",
                "Best wishes,",
                "Thanks,",
                "Regards,",
                "Yours faithfully,",
                "Many thanks,",
                "With best wishes,",
                "Thank you,",
            ]
        )
        lines = [closing, f"{who['first']} {who['last']}"]
        style = rng.random()
        if style < 0.45:
            lines += [who["street"], who["town"], who["postcode"]]
        elif style < 0.7:
            lines += [f"{who['street']}, {who['town']} {who['postcode']}"]
        elif style < 0.85:
            lines += [who["postcode"], who["phone"]]
        if rng.random() < 0.2:
            lines.append(who["email"])
        return lines

    # --- bodies -----------------------------------------------------------------------------
    def campaign_body(self, key: str, paragraphs: list[str]) -> tuple[list[str], bool, str]:
        """Paragraphs as this sender sent them, whether they are personalised, and the variant."""
        rng = self.rng
        paras = list(paragraphs)
        kinds: list[str] = []
        personalised = False
        roll = rng.random()
        if roll < 0.3:
            kinds.append("exact")
        elif roll < 0.48:
            kinds.append("aside")
            paras.insert(rng.randint(0, len(paras)), rng.choice(ASIDES))
        elif roll < 0.7:
            kinds.append("story")
            personalised = True
            story = rng.sample(STORIES[key], k=min(len(STORIES[key]), rng.choice([2, 2, 3])))
            story += rng.sample(EXTRA_STORY, k=rng.choice([0, 1, 2]))
            text = " ".join(story)
            if len(text.split()) < 40:
                text += " " + " ".join(rng.sample(EXTRA_STORY, k=2))
            where = rng.choice(["start", "middle", "end"])
            if where == "start":
                paras.insert(0, text)
            elif where == "end":
                paras.insert(len(paras) - 1, text)
            else:
                paras.insert(len(paras) // 2, text)
        elif roll < 0.8:
            kinds.append("dropped")
            if len(paras) > 3:
                paras.pop(rng.randrange(1, len(paras)))
        else:
            kinds.append("words")
            changed = []
            for para in paras:
                for word, other in SYNONYMS.items():
                    if f" {word} " in para and rng.random() < 0.6:
                        para = para.replace(f" {word} ", f" {other} ", 1)
                changed.append(para)
            paras = changed
        if rng.random() < 0.25 and len(paras) > 2:
            kinds.append("reordered")
            middle = paras[1:-1]
            rng.shuffle(middle)
            paras = [paras[0], *middle, paras[-1]]
        return paras, personalised, "+".join(kinds)

    def ordinary_body(self, quote: str | None) -> list[str]:
        rng = self.rng
        area = rng.choice(list(ORDINARY_TOPICS))
        topic = rng.choice(ORDINARY_TOPICS[area])
        first = rng.choice(ORDINARY_OPENERS).format(topic=topic)
        details = rng.sample(ORDINARY_DETAILS, k=rng.randint(3, 6))
        details = [
            d.format(month=rng.choice(MONTHS), ref=f"{rng.randint(100000, 999999)}", day=f"{rng.randint(2, 27)}th")
            for d in details
        ]
        paras = [first + " " + " ".join(details[:2]), " ".join(details[2:])]
        if quote:
            paras.insert(rng.randint(0, 2), quote)
        return paras

    # --- emails ------------------------------------------------------------------------------
    def add(
        self,
        *,
        minute: int,
        who: dict,
        subject: str,
        paras: list[str],
        campaign: str | None,
        personalised: bool,
        variant: str,
        platform: str | None = None,
        html_only: bool | None = None,
        quoted: bool | None = None,
    ) -> None:
        rng = self.rng
        self.serial += 1
        lines: list[str] = []
        greeting = self.greeting()
        if greeting:
            lines += [greeting, ""]
        for para in paras:
            lines += [para, ""]
        lines += self.signoff(who)
        from_name, from_email, reply_to = f"{who['first']} {who['last']}", who["email"], None
        if platform:
            spec = PLATFORMS[platform]
            lines += ["", "--", spec["footer"]]
            variant += "+platform"
            if spec["via"]:
                from_name = f"{who['first']} {who['last']} via {platform}"
                from_email = f"noreply@{spec['domain']}"
                reply_to = who["email"]
        if quoted if quoted is not None else rng.random() < 0.08:
            variant += "+quoted"
            lines += [
                "",
                f"On Sun, 1 Mar 2026 at 18:{rng.randint(10, 59)}, Campaign Team <team@campaigns.example> wrote:",
                "> Thank you for signing up. Your next step is to email your MP using the text below.",
                "> It only takes a minute and it really makes a difference.",
            ]
        text = "\n".join(lines) + "\n"
        message = EmailMessage()
        message["From"] = formataddr((from_name, from_email))
        message["To"] = formataddr((MP["full"], OFFICE_ADDRESS))
        if reply_to:
            message["Reply-To"] = reply_to
        message["Subject"] = subject
        message["Date"] = format_datetime(START + dt.timedelta(minutes=minute))
        message["Message-ID"] = f"<set-{self.serial}@{from_email.split('@')[1]}>"
        if html_only if html_only is not None else rng.random() < 0.18:
            variant += "+html"
            blocks = [f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")]
            message.set_content(
                '<html><body><div style="font-family: Arial">' + "\n".join(blocks) + "</div></body></html>",
                subtype="html",
            )
        else:
            message.set_content(text)
        self.rows.append(
            {
                "minute": minute,
                "campaign": campaign,
                "personalised": personalised,
                "variant": variant,
                "raw": message.as_string(),
            }
        )


def build() -> list[dict]:
    w = Writer()
    rng = w.rng
    days = 12 * 24 * 60
    # Campaigns: 18 to 40 senders each, arriving over a few days after a launch minute.
    for key, subject, paragraphs, platform in TEMPLATES:
        launch = rng.randint(0, days // 2)
        for _ in range(rng.randint(18, 40)):
            who = w.person()
            paras, personalised, variant = w.campaign_body(key, paragraphs)
            via_platform = platform if rng.random() < 0.7 else None
            subject_used = (
                subject
                if rng.random() < 0.85
                else rng.choice([f"Re: {subject}", subject.upper(), "Please read", "From a constituent"])
            )
            w.add(
                minute=launch + int(rng.expovariate(1 / (2 * 24 * 60))),
                who=who,
                subject=subject_used,
                paras=paras,
                campaign=key,
                personalised=personalised,
                variant=variant,
                platform=via_platform,
            )
    # Three senders only: below the threshold.
    key, subject, paragraphs = BELOW_THRESHOLD
    for _ in range(3):
        w.add(
            minute=rng.randint(0, days),
            who=w.person(),
            subject=subject,
            paras=list(paragraphs),
            campaign=None,
            personalised=False,
            variant="below-threshold",
        )
    # One person writing the same letter five times: one sender, not a campaign.
    key, subject, paragraphs = REPEATER
    who = w.person()
    for n in range(5):
        w.add(
            minute=1000 + n * 1500,
            who=who,
            subject=subject if n == 0 else f"Re: {subject}",
            paras=list(paragraphs),
            campaign=None,
            personalised=False,
            variant="one-sender",
        )
    # Five senders spread over 25 days: never five within 14 days.
    key, subject, paragraphs = SLOW
    for minute in (0, 3 * 24 * 60, 11 * 24 * 60, 17 * 24 * 60, 25 * 24 * 60):
        w.add(
            minute=minute,
            who=w.person(),
            subject=subject,
            paras=list(paragraphs),
            campaign=None,
            personalised=False,
            variant="outside-window",
        )
    # Ordinary casework; about one in four quotes a sentence of a campaign template.
    sentences = [
        sentence.strip() + "."
        for _, _, paragraphs, _ in TEMPLATES
        for paragraph in paragraphs
        for sentence in paragraph.split(". ")
        if len(sentence.split()) >= 10
    ]
    for _ in range(170):
        quote = rng.choice(sentences) if rng.random() < 0.25 else None
        area_subject = rng.choice(
            [
                "Help please",
                "Urgent: housing",
                "My benefits",
                "Problem with the council",
                "Request for help",
                "Visa application",
                "Hospital waiting list",
                "Potholes",
            ]
        )
        w.add(
            minute=rng.randint(0, days),
            who=w.person(),
            subject=area_subject,
            paras=w.ordinary_body(quote),
            campaign=None,
            personalised=False,
            variant="ordinary" + ("+quotes-template" if quote else ""),
        )
    # Casework on a campaign's subject that quotes two of its sentences: still not the campaign.
    for _ in range(12):
        key, subject, paragraphs, _ = rng.choice(TEMPLATES)
        picked = [s.strip() + "." for s in " ".join(paragraphs).split(". ") if len(s.split()) >= 8]
        quote = " ".join(rng.sample(picked, k=2))
        w.add(
            minute=rng.randint(0, days),
            who=w.person(),
            subject=f"About {subject.lower()}",
            paras=w.ordinary_body(quote),
            campaign=None,
            personalised=False,
            variant="ordinary+quotes-two",
        )
    w.rows.sort(key=lambda row: row["minute"])
    return w.rows


if __name__ == "__main__":
    rows = build()
    with (HERE / "messages.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    campaigns = {row["campaign"] for row in rows if row["campaign"]}
    print(f"{len(rows)} messages, {len(campaigns)} campaigns, {sum(row['personalised'] for row in rows)} personalised")
