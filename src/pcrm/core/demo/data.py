"""The sample data `pcrm demo` seeds: fictional companies, people and the notes they leave.

Everything here is invented. Domains use the reserved `.example` top-level domain, so no
address in the demo reaches a real inbox; UK and US numbers are from the ranges set aside
for fiction (Ofcom's 07700 900xxx and 020 7946 0xxx, the US 555-01xx).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleCompany:
    key: str
    name: str
    domain: str
    industry: str
    size: str
    country: str  # picks the phone number format of its people
    relation: str  # prospect, customer, former, partner or investor: picks the notes' story
    tags: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class SamplePerson:
    name: str
    company: str | None  # a SampleCompany key; None for people on their own
    title: str | None
    source: str
    activity: str  # high, medium, low or none: how many interactions, how recent
    email: str  # the part before the @
    tags: tuple[str, ...] = ()
    home_email: bool = False  # a second, personal address
    phones: int = 1
    birthday: str | None = None  # "soon" is a few days after the demo's clock
    note: str | None = None


COMPANIES = (
    SampleCompany(
        "analytical", "Analytical Engines", "analytical.example", "Software", "51-200",
        "uk", "prospect", ("prospect", "enterprise"),
        "Evaluating us against two other tools; decision before the end of the quarter.",
    ),
    SampleCompany(
        "nordlys", "Nordlys Energi AS", "nordlys.example", "Renewable energy", "201-500",
        "no", "prospect", ("prospect",),
    ),
    SampleCompany(
        "cafeole", "Café Olé Roasters", "cafeole.example", "Food & beverage", "11-50",
        "pt", "customer", ("customer", "smb"), "Roastery and four cafés in Lisbon and Porto.",
    ),
    SampleCompany(
        "brightwell", "Brightwell Clinics", "brightwell.example", "Healthcare",
        "501-1000", "ie", "prospect", ("prospect", "regulated"),
    ),
    SampleCompany(
        "kestrel", "Kestrel Logistics", "kestrel.example", "Logistics", "201-500",
        "nl", "customer", ("customer", "enterprise"),
        "Customer since last spring; 60 seats across Rotterdam and Antwerp.",
    ),
    SampleCompany(
        "mosaic", "Mosaic Studio", "mosaic.example", "Design agency", "1-10",
        "uk", "partner", ("partner",),
    ),
    SampleCompany(
        "lumen", "Lumen Legal LLP", "lumenlegal.example", "Legal services", "51-200",
        "fr", "prospect", ("prospect", "regulated"),
    ),
    SampleCompany(
        "halcyon", "Halcyon Ventures", "halcyon.example", "Venture capital", "11-50",
        "us", "investor", ("investor",),
    ),
    SampleCompany(
        "tessellate", "Tessellate Robotics GmbH", "tessellate.example", "Manufacturing",
        "51-200", "de", "customer", ("customer",),
    ),
    SampleCompany(
        "sakura", "Sakura Travel K.K.", "sakura.example", "Travel", "201-500",
        "jp", "former", ("churned",), "Moved to an in-house tool in the summer.",
    ),
    SampleCompany(
        "atlas", "Atlas Build Group", "atlasbuild.example", "Construction", "1000+",
        "nl", "prospect", ("prospect", "enterprise"),
    ),
    SampleCompany(
        "verde", "Verde Pay", "verdepay.example", "Fintech", "11-50",
        "sg", "customer", ("customer", "partner"),
    ),
)  # fmt: skip

P = SamplePerson
PEOPLE = (
    P("Ada Lovelace", "analytical", "CTO", "referral", "high", "ada", ("vip", "decision-maker"),
      home_email=True, phones=2, birthday="1985-12-10",
      note="Introduced by Mary at Halcyon. Prefers short calls before 10:00."),
    P("Tomás Ferreira", "analytical", "Engineering Manager", "event", "medium", "tomas",
      ("champion",)),
    P("Grace Okonkwo", "analytical", "Procurement Lead", "website", "medium", "grace"),
    P("Leo Hartmann", "analytical", "Finance Director", "referral", "low", "leo.hartmann"),
    P("Mary Whitfield", "halcyon", "Partner", "referral", "medium", "mary", ("investor", "vip"),
      phones=2, birthday="--04-18"),
    P("Åsa Lindqvist", "nordlys", "Head of Procurement", "event", "high", "asa.lindqvist",
      ("decision-maker",), birthday="1979-06-02"),
    P("Bjørn Ødegaard", "nordlys", "IT Director", "event", "medium", "bjorn"),
    P("Ingrid Solberg", "nordlys", "Project Manager", "linkedin", "low", "ingrid.solberg"),
    P("José Álvarez", "cafeole", "Founder", "referral", "high", "jose", ("vip", "friend"),
      home_email=True, phones=2, birthday="soon"),
    P("Inês Carvalho", "cafeole", "Operations Manager", "website", "medium", "ines.carvalho"),
    P("Rui Mendes", "cafeole", "Head of Retail", "website", "low", "rui.mendes", phones=0),
    P("Amara Okafor", "brightwell", "Medical Director", "linkedin", "medium", "a.okafor",
      ("decision-maker",)),
    P("Siobhán O'Connor", "brightwell", "IT Manager", "website", "medium", "s.oconnor",
      ("champion",), note="Needs everything to pass their DPO first; allow two weeks."),
    P("Rahul Mehta", "brightwell", "Data Protection Officer", "website", "low", "rahul.mehta"),
    P("Mehmet Yılmaz", "kestrel", "COO", "referral", "high", "mehmet",
      ("vip", "decision-maker"), phones=2, birthday="--09-23"),
    P("Claire Dubois", "kestrel", "Fleet Manager", "event", "medium", "claire.dubois"),
    P("Oliver Grant", "kestrel", "IT Lead", "website", "medium", "oliver.grant", ("champion",)),
    P("Fatima Benali", "kestrel", "Finance Controller", "website", "low", "fatima.benali"),
    P("Zoë Fontaine", "mosaic", "Creative Director", "event", "medium", "zoe", ("partner",),
      home_email=True, birthday="1990-03-14"),
    P("Kwame Mensah", "mosaic", "Designer", "partner", "low", "kwame"),
    P("François Lefèvre", "lumen", "Managing Partner", "cold email", "medium",
      "francois.lefevre", ("decision-maker",)),
    P("Hannah Schmidt", "lumen", "Office Manager", "website", "low", "hannah.schmidt", phones=0),
    P("Priya Raghunathan", "lumen", "Legal Ops Lead", "linkedin", "high", "priya.r",
      ("champion",), phones=2),
    P("Nathan Cole", "halcyon", "Associate", "event", "low", "nathan", ("investor",)),
    P("Jürgen Weiß", "tessellate", "CEO", "event", "high", "j.weiss", ("vip", "decision-maker"),
      birthday="1971-11-30"),
    P("Łukasz Wróbel", "tessellate", "Head of IT", "linkedin", "medium", "lukasz.wrobel"),
    P("Mei Lin Chen", "tessellate", "Automation Engineer", "website", "medium", "meilin.chen",
      ("champion",)),
    P("Elif Demir", "tessellate", "Procurement", "website", "none", "elif.demir", phones=0),
    P("Kenji Watanabe", "sakura", "Travel Ops Director", "website", "low", "k.watanabe"),
    P("Yuki Tanaka", "sakura", "Account Manager", "website", "low", "yuki.tanaka"),
    P("Pieter van Dijk", "atlas", "Regional Director", "cold email", "medium", "p.vandijk",
      ("decision-maker",)),
    P("Sinéad Byrne", "atlas", "Bid Manager", "linkedin", "low", "sinead.byrne"),
    P("Carlos Rivera", "atlas", "Site Operations", "event", "none", "carlos.rivera"),
    P("Nguyễn Thị Mai", "verde", "CTO", "linkedin", "medium", "mai.nguyen", ("decision-maker",),
      birthday="--07-08"),
    P("Lucas Oliveira", "verde", "Head of Partnerships", "event", "medium", "lucas", ("partner",),
      phones=2),
    P("Emma Johansson", "verde", "Product Manager", "website", "low", "emma.johansson"),
    P("Chloé Martin", None, "Freelance consultant", "referral", "medium", "chloe.martin",
      ("friend", "referrer"), note="Sends us two or three leads a year; thank her each time."),
    P("Aleksander Nowak", None, "Recruiter", "linkedin", "low", "aleks.nowak", phones=0),
    P("Tariq Hassan", None, "Podcast host", "website", "none", "tariq", ("press",)),
    P("Sophie Laurent", None, "Angel investor", "referral", "low", "sophie.laurent",
      ("investor",), birthday="1968-05-21"),
)  # fmt: skip

# Phone formats by country; "#" is a random digit. UK and US use the ranges kept for fiction.
PHONES = {
    "uk": ("+44 7700 900###", "+44 20 7946 0###"),
    "us": ("+1 202 555 01##", "+1 415 555 01##"),
    "no": ("+47 4## ## ###", "+47 2# ## ## ##"),
    "pt": ("+351 91# ### ###", "+351 21# ### ###"),
    "ie": ("+353 87 ### ####", "+353 1 ### ####"),
    "nl": ("+31 6 #### ####", "+31 10 ### ####"),
    "fr": ("+33 6 ## ## ## ##", "+33 1 ## ## ## ##"),
    "de": ("+49 151 #### ####", "+49 711 #### ###"),
    "jp": ("+81 90 #### ####", "+81 3 #### ####"),
    "sg": ("+65 9### ####", "+65 6### ####"),
}

# What people write after a call or a meeting, by the story of the relationship and how far
# along it is. {slots} are filled from SLOTS; {colleague} is someone at the same company.
NOTES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "prospect": {
        "early": (
            ("call", "Discovery call: still on spreadsheets, {seats} people need access"),
            ("email", "Sent intro deck and two case studies"),
            ("message", "LinkedIn: accepted my invite, asked for a demo slot"),
            ("meeting", "Coffee near their office: talked about {topic}"),
            ("note", "Met at {event}; follow up once budget season starts"),
            ("call", "Intro call: main pain is {topic}"),
            ("email", "Followed up on our chat at {event}; sent the pricing page"),
            ("call", "They use {tool} today and hate the reporting"),
        ),
        "middle": (
            ("demo", "Demo for {n} people from {team}; liked the timeline, asked about SSO"),
            ("call", "Call: wants a quote for {seats} seats"),
            ("email", "Sent proposal v{version} ({seats} seats, annual billing)"),
            ("demo", "Follow-up demo: import from {tool} went smoothly"),
            ("email", "Answered their security questionnaire (47 questions)"),
            ("note", "Budget approved for next quarter; decision by end of month"),
            ("meeting", "Workshop at their office: mapped the sales process with {team}"),
            ("email", "Sent an ROI sheet: pays for itself in {n} months"),
            ("call", "Their IT asked about SSO and data residency"),
            ("message", "Asked if the data can stay in the EU (yes, it never leaves the laptop)"),
        ),
        "late": (
            ("call", "Negotiating {discount}% off for a two-year term"),
            ("email", "Sent contract for signature"),
            ("meeting", "Meeting with legal: redlines on the DPA, nothing blocking"),
            ("message", "Asked for the invoice to go to their EU entity"),
            ("note", "Champion is {colleague}; procurement wants three quotes"),
            ("email", "Sent final pricing: {discount}% off if signed this month"),
            ("call", "Legal review done, waiting on the CFO"),
            ("note", "Verbal yes; paperwork next week"),
        ),
    },
    "customer": {
        "early": (
            ("meeting", "Kick-off: onboarding plan for {seats} users"),
            ("call", "Onboarding call: imported {count} contacts from {tool}"),
            ("email", "Sent the training recording and the admin guide"),
        ),
        "middle": (
            ("call", "Check-in: happy overall, wants a better CSV export"),
            ("email", "Support: fixed the duplicate import, sent the steps"),
            ("message", "Asked how to tag contacts in bulk"),
            ("meeting", "Quarterly review: usage up {pct}%, two teams still on email"),
            ("note", "Hiring {n} more sales people in spring"),
            ("call", "Support call: calendar sync broke after their Outlook update"),
            ("email", "Sent the release notes and a how-to for saved views"),
            ("note", "NPS reply: 9, wants more reporting"),
        ),
        "late": (
            ("call", "Renewal call: wants {seats} more seats from January"),
            ("email", "Sent renewal quote with a volume discount"),
            ("meeting", "Lunch: talked roadmap; they would pilot the mobile app"),
            ("demo", "Showed the new pipeline board to {team}"),
            ("message", "WhatsApp: thanks for the quick fix!"),
            ("email", "Asked for a case study; they said yes"),
            ("call", "Rolling it out to {team} next quarter"),
        ),
    },
    "former": {
        "early": (
            ("call", "Check-in: usage dropping in the Osaka office"),
            ("email", "Sent usage report for the last quarter"),
        ),
        "middle": (
            ("meeting", "Review: they are building an in-house tool"),
            ("call", "Asked for a month-to-month contract"),
        ),
        "late": (
            ("call", "Exit call: moved to the in-house tool; door open for next year"),
            ("email", "Sent their data export and a thank-you note"),
        ),
    },
    "relation": {
        "any": (
            ("meeting", "Coffee: swapped notes on {topic}"),
            ("email", "Sent intro to {other}"),
            ("call", "Catch-up call: two referrals coming our way"),
            ("message", "Congratulated on the new role"),
            ("note", "Prefers WhatsApp over email; mornings are best"),
            ("meeting", "Dinner after {event}"),
            ("email", "Shared our quarterly update"),
            ("call", "Co-hosting a webinar in {month}?"),
            ("message", "Sent the slides from {event}"),
            ("meeting", "Breakfast: advice on pricing for small teams"),
            ("email", "Thanked them for the referral"),
        ),
    },
}

SLOTS = {
    "seats": ("5", "8", "12", "15", "20", "25", "40", "60"),
    "n": ("3", "4", "5", "6"),
    "team": ("sales", "ops", "the leadership team", "customer success", "procurement"),
    "tool": ("HubSpot", "Excel", "Google Contacts", "Outlook", "Salesforce"),
    "topic": (
        "lead tracking across three offices",
        "follow-ups falling through the cracks",
        "GDPR and where the data lives",
        "messy shared spreadsheets",
        "moving off Salesforce",
    ),
    "event": ("Web Summit", "a founders' meetup in Lisbon", "SaaStr Europa", "Nordic Tech Days"),
    "discount": ("5", "8", "10", "12"),
    "pct": ("15", "20", "30", "40"),
    "count": ("350", "800", "1,200", "2,400"),
}

FEATURED = "ada"  # the person `pcrm demo` shows in full (by email local part)

# Dated by hand rather than by chance, so the demo always has a story to show: the latest
# call with Ada (the example in pcrm's docs) and a few meetings coming up. WHEN is read as
# `pcrm log --at` reads it, from the demo's clock; a planned day on a weekend moves to Monday.
# (email local part, kind, WHEN, text, others present)
SCRIPTED = (
    ("ada", "call", "now -2h", "Call: wants a quote for 20 seats", ()),
    (
        "ada",
        "meeting",
        "+2d 14:00",
        "Contract walkthrough with their legal team",
        ("grace",),
    ),
    ("asa.lindqvist", "demo", "+6d 09:30", "Demo for the procurement team in Oslo", ()),
    ("j.weiss", "meeting", "+9d 10:00", "Site visit in Stuttgart to plan the renewal", ()),
)
