"""Fictional but realistic demo entries, spread over UK towns and every category."""

from mapapp.choices import Precision, Threat

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
            threat = (
                Threat.AT_RISK
                if category in {"campaigns-resistance", "public-goods"} and n % 2
                else (Threat.LOST if n % 23 == 9 else Threat.NONE)
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
                "threat": threat,
                "threat_note": (
                    "The council is consulting on closure." if threat != Threat.NONE else ""
                ),
                "tags": tags,
            }
