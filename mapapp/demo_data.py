"""Fictional but realistic demo entries, spread over UK towns and every category, and a dozen
threat cases on some of them, dated relative to today so their deadlines are always to come."""

from dateutil.relativedelta import relativedelta

from mapapp.choices import CaseKind, CaseStatus, EventKind, Precision

# (town, longitude, latitude)
TOWNS = [
    ("Bristol", -2.5879, 51.4545),
    ("Manchester", -2.2426, 53.4808),
    ("Leeds", -1.5491, 53.8008),
    ("Glasgow", -4.2518, 55.8642),
    ("Cardiff", -3.1791, 51.4816),
    ("Norwich", 1.2974, 52.6309),
    ("Sheffield", -1.4701, 53.3811),
    ("Newcastle upon Tyne", -1.6178, 54.9783),
    ("Brighton", -0.1372, 50.8225),
    ("Edinburgh", -3.1883, 55.9533),
    ("Belfast", -5.9301, 54.5973),
    ("Plymouth", -4.1427, 50.3755),
    ("Nottingham", -1.1581, 52.9548),
    ("Liverpool", -2.9916, 53.4084),
    ("Hackney, London", -0.0553, 51.5450),
    ("Lewisham, London", -0.0209, 51.4415),
    ("Swansea", -3.9436, 51.6214),
    ("Hebden Bridge", -2.0120, 53.7420),
    ("Totnes", -3.6866, 50.4319),
    ("Stroud", -2.2166, 51.7458),
]

# (category slug, name pattern, summary, tags)
KINDS = [
    (
        "community-organising",
        "{town} Tenants' Union",
        "Renters organising for secure, affordable homes: casework, repairs campaigns and "
        "monthly members' meetings.",
        ["housing", "tenants"],
    ),
    (
        "community-organising",
        "{town} Neighbourhood Assembly",
        "An open assembly where residents decide together what the neighbourhood needs.",
        ["assembly", "democracy"],
    ),
    (
        "reciprocal-working",
        "{town} Timebank",
        "Trade an hour of your skills for an hour of someone else's: gardening, lifts, "
        "language practice, DIY.",
        ["timebank", "skills"],
    ),
    (
        "reciprocal-working",
        "{town} Mutual Aid Network",
        "Neighbours helping neighbours with shopping, prescriptions and check-in calls.",
        ["mutual aid", "care"],
    ),
    (
        "commoning",
        "{town} Community Garden",
        "A shared growing space open to everyone, with raised beds, compost and weekly work days.",
        ["food", "growing"],
    ),
    (
        "commoning",
        "{town} Library of Things",
        "Borrow a drill, a tent or a sewing machine instead of buying one.",
        ["sharing", "tools"],
    ),
    (
        "commoning",
        "{town} Repair Café",
        "Volunteers fix broken kettles, bikes and clothes with you, for free.",
        ["repair", "reuse"],
    ),
    (
        "convivial-spaces",
        "{town} Social Centre",
        "A volunteer-run space for meetings, cheap meals, film nights and a free shop.",
        ["social centre", "events"],
    ),
    (
        "campaigns-resistance",
        "Save {town} Central Library",
        "Campaign against the council's plan to close the central library and sell the building.",
        ["libraries", "campaign"],
    ),
    (
        "public-goods",
        "{town} Lido",
        "An outdoor pool run by the council since the 1930s; opening hours cut twice in two years.",
        ["swimming", "parks"],
    ),
    (
        "public-goods",
        "{town} Park",
        "A public park with playground, bowling green and community orchard.",
        ["parks"],
    ),
    (
        "campaigns-resistance",
        "Keep {town} Parks Public",
        "Residents opposing the lease of park land to private events companies.",
        ["parks", "campaign"],
    ),
]

OPENING_TIMES = [
    "Mon–Fri 10:00–18:00",
    "Saturdays 10:00–14:00",
    "Wednesdays 18:30–21:00",
    "Daily, dawn to dusk",
    "",
]


def demo_entries():
    """Yield about 60 entry dicts: each town gets three kinds, rotating through all kinds."""
    for index, (town, lon, lat) in enumerate(TOWNS):
        for step in range(3):
            kind = KINDS[(index * 3 + step) % len(KINDS)]
            category, pattern, summary, tags = kind
            n = index * 3 + step
            # Spread entries a little around the town centre so markers do not overlap.
            d_lon = ((n * 37) % 19 - 9) * 0.0021
            d_lat = ((n * 53) % 17 - 8) * 0.0013
            precision = (
                Precision.APPROXIMATE
                if n % 7 == 3
                else (Precision.AREA if n % 11 == 5 else Precision.EXACT)
            )
            yield {
                "name": pattern.format(town=town.split(",")[0]),
                "category": category,
                "summary": summary,
                "description": (
                    f"{pattern.format(town=town.split(',')[0])} is a fictional entry in the "
                    f"Commons Map demo data for {town}. {summary} "
                    "Everyone is welcome; get in touch through the website."
                ),
                "longitude": round(lon + d_lon, 6),
                "latitude": round(lat + d_lat, 6),
                "precision": precision,
                "locality": town,
                "opening_times": OPENING_TIMES[n % len(OPENING_TIMES)],
                "website": f"https://example.org/{n}" if n % 3 else "",
                "tags": tags,
            }


def days(n):
    """An offset from today: negative in the past, positive ahead."""
    return relativedelta(days=n)


# The demo's threat cases: every body and link is fictional. Each is (entry name, title, kind,
# status, opened, closed, summary, who decides, their site's path, events); an event is (kind,
# offset, note, source path). Offsets count from today, so the deadlines the rules derive are
# always still to come: a consultation closing in a few days, moratoria ending in the next
# weeks, an Asset of Community Value listing about to lapse, a freedom-of-information answer due.
CASES = [
    (
        "Glasgow Lido",
        "Lido to close for the winter, and possibly for good",
        CaseKind.CLOSURE,
        CaseStatus.ACTIVE,
        days(-62),
        None,
        "The leisure trust proposes to close the lido at the end of the season and review "
        "whether it reopens; the pool has run every summer since 1934.",
        "Kelvinside Leisure Trust",
        "kelvinside-leisure-trust",
        [
            (
                EventKind.ANNOUNCED,
                days(-62),
                "Proposal published in the trust's budget papers.",
                "budget-papers",
            ),
            (
                EventKind.CONSULTATION_OPENS,
                days(-45),
                "Eight-week public consultation.",
                "consultation",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-20),
                "Petition of 4,200 signatures handed in.",
                "petition",
            ),
            (
                EventKind.CONSULTATION_CLOSES,
                days(4),
                "Responses by post or online.",
                "consultation",
            ),
        ],
    ),
    (
        "Newcastle upon Tyne Lido",
        "Lido's running to be contracted out to a private operator",
        CaseKind.OUTSOURCING,
        CaseStatus.ACTIVE,
        days(-95),
        None,
        "The trust plans a ten-year contract with a commercial gym chain; prices and opening "
        "hours would be the operator's to set. Swimmers have asked to see the draft contract.",
        "Northumbria Coast Leisure Trust",
        "northumbria-coast-leisure-trust",
        [
            (EventKind.ANNOUNCED, days(-95), "Tender notice published.", "tender-notice"),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-30),
                "Public meeting at the lido café, 120 came.",
                "public-meeting",
            ),
            (
                EventKind.FOI_SENT,
                days(-6),
                "Request for the draft contract and the bids' scoring.",
                "foi-request",
            ),
        ],
    ),
    (
        "Keep Plymouth Parks Public",
        "Tamar Fields to be sold for development",
        CaseKind.DISPOSAL,
        CaseStatus.ACTIVE,
        days(-230),
        None,
        "The council has given notice that it intends to sell the playing fields. They are an "
        "Asset of Community Value, so a community group can ask to bid before any sale.",
        "Tamar Vale City Council",
        "tamar-vale-city-council",
        [
            (
                EventKind.ACV_NOMINATED,
                days(-230),
                "Nominated by the Friends of Tamar Fields.",
                "acv-nomination",
            ),
            (
                EventKind.ACV_LISTED,
                days(-170),
                "Added to the council's list of assets.",
                "acv-register",
            ),
            (
                EventKind.DISPOSAL_NOTICE,
                days(-30),
                "Notice of intended disposal received.",
                "disposal-notice",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-9),
                "Friends registered as potential bidders.",
                "bid-intent",
            ),
        ],
    ),
    (
        "Brighton Neighbourhood Assembly",
        "The community hall the assembly meets in is for sale",
        CaseKind.DISPOSAL,
        CaseStatus.ACTIVE,
        days(-400),
        None,
        "The borough council has put the church-lane hall on the market. The assembly is "
        "raising money to bid for it under the community right to bid.",
        "Downs and Weald Borough Council",
        "downs-and-weald-borough-council",
        [
            (
                EventKind.ACV_LISTED,
                days(-400),
                "Hall listed as an Asset of Community Value.",
                "acv-register",
            ),
            (
                EventKind.DISPOSAL_NOTICE,
                days(-35),
                "Council notified its intention to sell.",
                "disposal-notice",
            ),
        ],
    ),
    (
        "Stroud Lido",
        "Lido site earmarked for housing in the draft local plan",
        CaseKind.REDEVELOPMENT,
        CaseStatus.ACTIVE,
        relativedelta(years=-5, days=-60),
        None,
        "The district's draft plan allocates the lido site for 40 homes. Its Asset of "
        "Community Value listing lapses within weeks unless it is nominated again.",
        "Five Valleys District Council",
        "five-valleys-district-council",
        [
            (
                EventKind.ANNOUNCED,
                relativedelta(years=-5, days=-60),
                "Site named in a call for sites.",
                "call-for-sites",
            ),
            (
                EventKind.ACV_NOMINATED,
                relativedelta(years=-5, days=-40),
                "Nominated by the lido's friends' group.",
                "acv-nomination",
            ),
            (
                EventKind.ACV_LISTED,
                relativedelta(years=-5, days=21),
                "Listed for five years.",
                "acv-register",
            ),
            (
                EventKind.CONSULTATION_OPENS,
                days(-20),
                "Draft local plan consultation.",
                "local-plan",
            ),
            (
                EventKind.CONSULTATION_CLOSES,
                days(25),
                "Comments on the draft plan close.",
                "local-plan",
            ),
        ],
    ),
    (
        "Keep Lewisham Parks Public",
        "Parks' tree survey and visitor data licensed exclusively to a private firm",
        CaseKind.OUTSOURCING,
        CaseStatus.ACTIVE,
        days(-75),
        None,
        "The council's tree survey and park-visitor counts, gathered with public money and "
        "until now open data, are to be licensed to one analytics company. Its answer to a "
        "freedom-of-information request withheld the licence's terms.",
        "Ravensbourne Borough Council",
        "ravensbourne-borough-council",
        [
            (
                EventKind.ANNOUNCED,
                days(-75),
                "Open-data portal pages taken down.",
                "open-data-notice",
            ),
            (
                EventKind.FOI_SENT,
                days(-55),
                "Request for the data-sharing agreement.",
                "foi-request",
            ),
            (
                EventKind.FOI_ANSWERED,
                days(-26),
                "Answered in part: the licence terms withheld.",
                "foi-answer",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-5),
                "Open letter from local researchers.",
                "open-letter",
            ),
        ],
    ),
    (
        "Norwich Community Garden",
        "Garden in the estate's regeneration scheme",
        CaseKind.REDEVELOPMENT,
        CaseStatus.ACTIVE,
        days(-28),
        None,
        "The regeneration masterplan shows a car park where the garden's beds are.",
        "Wensum City Council",
        "wensum-city-council",
        [
            (EventKind.ANNOUNCED, days(-28), "Masterplan exhibition at the library.", "masterplan"),
            (
                EventKind.CONSULTATION_OPENS,
                days(-12),
                "Consultation on the masterplan.",
                "masterplan-consultation",
            ),
            (
                EventKind.CONSULTATION_CLOSES,
                days(30),
                "Last day for comments.",
                "masterplan-consultation",
            ),
        ],
    ),
    (
        "Cardiff Timebank",
        "Grant for the timebank's coordinator cut",
        CaseKind.FUNDING_CUT,
        CaseStatus.SAVED,
        days(-300),
        days(-160),
        "The council's community grants were cut by half; after members' deputations the "
        "coordinator's grant was restored for three years.",
        "Taff Vale County Council",
        "taff-vale-county-council",
        [
            (EventKind.ANNOUNCED, days(-300), "Draft budget published.", "draft-budget"),
            (
                EventKind.CONSULTATION_CLOSES,
                days(-250),
                "Budget consultation closed.",
                "budget-consultation",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-230),
                "Deputation to the full council.",
                "deputation",
            ),
            (EventKind.DECISION, days(-160), "Grant restored in the final budget.", "final-budget"),
            (EventKind.OUTCOME, days(-160), "Saved for three years.", "final-budget"),
        ],
    ),
    (
        "Sheffield Social Centre",
        "Building sold to the community after a share offer",
        CaseKind.DISPOSAL,
        CaseStatus.SAVED,
        days(-820),
        days(-330),
        "The council put the former library on the market; the centre's members raised the "
        "price through a community share offer during the full moratorium.",
        "Don Valley Metropolitan Council",
        "don-valley-metropolitan-council",
        [
            (
                EventKind.ACV_LISTED,
                days(-820),
                "Listed as an Asset of Community Value.",
                "acv-register",
            ),
            (
                EventKind.DISPOSAL_NOTICE,
                days(-520),
                "Notice of intended disposal.",
                "disposal-notice",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-480),
                "Community share offer launched.",
                "share-offer",
            ),
            (EventKind.SALE_COMPLETED, days(-330), "Bought by the members' society.", "sale"),
            (EventKind.OUTCOME, days(-330), "In community ownership.", "sale"),
        ],
    ),
    (
        "Save Belfast Central Library",
        "Central library closed and its collection dispersed",
        CaseKind.CLOSURE,
        CaseStatus.LOST,
        days(-720),
        days(-420),
        "Despite a consultation in which most respondents opposed it, the board closed the "
        "central library; its local-history collection moved to an archive out of town.",
        "Lagan Libraries Board",
        "lagan-libraries-board",
        [
            (
                EventKind.ANNOUNCED,
                days(-720),
                "Closure proposed in a service review.",
                "service-review",
            ),
            (EventKind.CONSULTATION_OPENS, days(-690), "Twelve-week consultation.", "consultation"),
            (EventKind.CONSULTATION_CLOSES, days(-606), "Consultation closed.", "consultation"),
            (EventKind.DECISION, days(-540), "Board voted to close.", "board-minutes"),
            (EventKind.CLOSURE_DATE, days(-420), "Doors closed.", "closure-notice"),
        ],
    ),
    (
        "Totnes Social Centre",
        "Social centre's building sold at auction",
        CaseKind.DISPOSAL,
        CaseStatus.LOST,
        days(-960),
        days(-300),
        "The building was sold to a private buyer after the protected period; the centre now "
        "meets in members' homes.",
        "South Dart District Council",
        "south-dart-district-council",
        [
            (
                EventKind.DISPOSAL_NOTICE,
                days(-960),
                "Notice of intended disposal.",
                "disposal-notice",
            ),
            (
                EventKind.CAMPAIGN_ACTION,
                days(-930),
                "Members asked to be treated as bidders.",
                "bid-intent",
            ),
            (EventKind.SALE_COMPLETED, days(-300), "Sold at auction.", "auction-result"),
        ],
    ),
    (
        "Keep Glasgow Parks Public",
        "Plan to lease the park's meadow to an events company",
        CaseKind.REDEVELOPMENT,
        CaseStatus.WITHDRAWN,
        days(-260),
        days(-150),
        "A ten-year lease would have fenced the meadow for festivals all summer. The council "
        "withdrew it after a petition and a packed committee meeting.",
        "Clydeside City Council",
        "clydeside-city-council",
        [
            (
                EventKind.ANNOUNCED,
                days(-260),
                "Lease proposal in committee papers.",
                "committee-papers",
            ),
            (EventKind.CAMPAIGN_ACTION, days(-200), "Petition with 6,000 signatures.", "petition"),
            (
                EventKind.DECISION,
                days(-150),
                "Proposal withdrawn at committee.",
                "committee-minutes",
            ),
        ],
    ),
]


def demo_cases(today):
    """The demo cases with their dates counted from today: [(entry name, case data, events)]."""
    for entry, title, kind, status, opened, closed, summary, decider, site, events in CASES:
        base = f"https://example.org/demo/{site}"
        case = {
            "title": title,
            "kind": kind,
            "status": status,
            "opened_on": today + opened,
            "closed_on": None if closed is None else today + closed,
            "summary": summary,
            "decider_name": decider,
            "decider_url": base,
        }
        dated = [
            {"kind": k, "happened_on": today + at, "note": note, "source_url": f"{base}/{path}"}
            for k, at, note, path in events
        ]
        yield entry, case, dated
