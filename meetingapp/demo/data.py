"""The customer's real events (PRODUCT.md, from UN document A/AC.105/1341) as plain data."""

from __future__ import annotations

ORGANISATIONS = [
    ("CTBTO", "Comprehensive Nuclear-Test-Ban Treaty Organization"),
    ("CTED", "Counter-Terrorism Committee Executive Directorate"),
    ("DCO", "Development Coordination Office"),
    ("DESA", "Department of Economic and Social Affairs"),
    ("DGACM", "Department for General Assembly and Conference Management"),
    ("DGC", "Department of Global Communications"),
    ("DMSPC", "Department of Management Strategy, Policy and Compliance"),
    ("DOS", "Department of Operational Support"),
    ("DPO", "Department of Peace Operations"),
    ("EOSG", "Executive Office of the Secretary-General"),
    ("IAEA", "International Atomic Energy Agency"),
    ("ICAO", "International Civil Aviation Organization"),
    ("ITU", "International Telecommunication Union"),
    ("OICT", "Office of Information and Communications Technology"),
    ("OIOS", "Office of Internal Oversight Services"),
    ("OLA", "Office of Legal Affairs"),
    ("UNDP", "United Nations Development Programme"),
    ("UNDRR", "United Nations Office for Disaster Risk Reduction"),
    ("UNFPA", "United Nations Population Fund"),
    ("UNGSC", "United Nations Global Service Centre"),
    ("UNIDIR", "United Nations Institute for Disarmament Research"),
    ("UNODA", "Office for Disarmament Affairs"),
    ("UNODC", "United Nations Office on Drugs and Crime"),
    ("UNOOSA", "Office for Outer Space Affairs"),
    ("UNOSAT", "United Nations Satellite Centre"),
    ("WHO", "World Health Organization"),
    ("WIPO", "World Intellectual Property Organization"),
    ("WMO", "World Meteorological Organization"),
]

# The offices whose staff attended the training day (the seed's list of 15).
TRAINEE_OFFICES = [
    "DESA",
    "DGACM",
    "DGC",
    "DMSPC",
    "DOS",
    "DPO",
    "ICAO",
    "UNODA",
    "OICT",
    "OIOS",
    "DCO",
    "UNGSC",
    "UNIDIR",
    "UNFPA",
    "CTED",
]
# The entities represented at the main part of the 43rd session.
SESSION_ENTITIES = [
    "DESA",
    "EOSG",
    "DOS",
    "ICAO",
    "ITU",
    "UNODA",
    "OICT",
    "OLA",
    "UNOOSA",
    "UNDP",
    "UNIDIR",
    "UNOSAT",
    "UNDRR",
    "UNFPA",
    "WHO",
    "WMO",
]

TIMES_NOTE = "Times of day are not given in the report; the demo uses plausible times."

NEW_YORK = {
    "title": "UN-Space, 43rd session",
    "city": "New York",
    "venue": "United Nations Headquarters",
    "timezone": "America/New_York",
    "starts_on": "2024-10-28",
    "ends_on": "2024-10-31",
    "organisation": "UNOOSA",
    "co_organisers": "Capacity Development and Operational Training Service (CDOTS), "
    "Department of Operational Support",
    "description": (
        "Forty-third session of the Inter-Agency Meeting on Outer Space Activities (UN-Space), "
        "hosted with the support of the Capacity Development and Operational Training Service "
        "(CDOTS) of the Department of Operational Support and chaired by the Director of the "
        "Office for Outer Space Affairs.\n\n" + TIMES_NOTE
    ),
    "sessions": [
        {
            "kind": "meeting",
            "title": "Opening of the session",
            "day": "2024-10-28",
            "start": "09:00",
            "end": "09:30",
            "room": "Conference Room 6",
            "chair": "Director, Office for Outer Space Affairs",
            "lead": "UNOOSA",
            "description": "Welcome by the Director of UNOOSA and the Chief of CDOTS.",
            "open_seating": True,
        },
        {
            "kind": "training",
            "title": "Training day “Earth Observation for Societal Benefit”",
            "day": "2024-10-28",
            "start": "09:30",
            "end": "17:30",
            "room": "Conference Room 6",
            "capacity": 21,
            "lead": "DOS",
            "description": (
                "Organised with the CEOS Working Group on Capacity Building and Data Democracy and "
                "NASA's Applied Remote Sensing Training (ARSET) and Earth Science Data Systems "
                "programmes. Demand far exceeded the room: join the waitlist if it is full."
            ),
            "parts": [
                (
                    "09:30",
                    "10:45",
                    "Remote sensing observations for atmosphere, water and land applications",
                ),
                (
                    "11:00",
                    "12:30",
                    "Monitoring disasters: population, fire, flood, heat — applicable NASA "
                    "datasets (Earthdata, Earthdata Search, SEDAC)",
                ),
                ("13:30", "14:30", "Fire: applicable tools (Worldview, FIRMS, Climate Engine)"),
                (
                    "14:45",
                    "16:00",
                    "Flood and heat: applicable tools (Google Earth Engine, Climate Engine, "
                    "Black Marble, Giovanni, disaster alerts)",
                ),
                (
                    "16:15",
                    "17:30",
                    "Earth observation toolkit for sustainable cities and human settlements",
                ),
            ],
        },
        {
            "kind": "meeting",
            "title": "Main part of the session — morning",
            "day": "2024-10-31",
            "start": "10:00",
            "end": "13:00",
            "room": "Conference Room 6",
            "chair": "Director, Office for Outer Space Affairs",
            "lead": "UNOOSA",
            "agenda": [
                "Space sustainability",
                "Satellite imagery and its acquisition",
                "Earth observation data and threats to related radio spectrum",
            ],
        },
        {
            "kind": "meeting",
            "title": "Main part of the session — afternoon",
            "day": "2024-10-31",
            "start": "15:00",
            "end": "18:00",
            "room": "Conference Room 6",
            "chair": "Director, Office for Outer Space Affairs",
            "lead": "UNOOSA",
            "agenda": [
                "Showcase of capacity development and operational training services",
                "UN-Space reports, publications and communication channels",
            ],
        },
    ],
}

VIENNA = {
    "title": "UN-Space, 20th open informal session “Getting to know the UN: speed dating”",
    "city": "Vienna",
    "venue": "Vienna International Centre",
    "timezone": "Europe/Vienna",
    "starts_on": "2024-11-20",
    "ends_on": "2024-11-20",
    "organisation": "UNOOSA",
    "co_organisers": "",
    "description": (
        "Part of the 2024 United Nations Conference on Space Law and Policy. Small-group "
        "discussions led by staff of different entities: participants move between groups and "
        "are invited to join at least three of the eleven topic tables.\n\n"
        + TIMES_NOTE
        + " Four rounds of 20 minutes with 3 minutes to move, 8 seats per table."
    ),
    "sessions": [
        {
            "kind": "speed_networking",
            "title": "Getting to know the UN: speed dating",
            "day": "2024-11-20",
            "start": "13:00",
            "end": "14:30",
            "room": "Board Room B",
            "capacity": 88,
            "lead": "UNOOSA",
            "rounds": 4,
            "round_minutes": 20,
            "move_minutes": 3,
            "min_tables": 3,
            "max_picks": 5,
            "tables": [
                (
                    "a",
                    "Intellectual property and space activities",
                    "WIPO",
                    "Patent and Treaty Law Section",
                ),
                (
                    "b",
                    "Nuclear safety and outer space",
                    "IAEA",
                    "Safety Standards and Security Guidance Development Section",
                ),
                (
                    "c",
                    "Earth observation and geospatial analysis for crime monitoring",
                    "UNODC",
                    "",
                ),
                (
                    "d",
                    "Trends, developments and prospects of multilateral space security processes",
                    "UNODA",
                    "",
                ),
                (
                    "e",
                    "Monitoring nuclear explosions on Earth",
                    "CTBTO",
                    "International Data Centre",
                ),
                (
                    "f",
                    "Detecting objects in outer space with infrasound",
                    "CTBTO",
                    "International Data Centre",
                ),
                (
                    "g",
                    "Satellite imagery acquisition and disaster management",
                    "UNOOSA",
                    "UN-SPIDER",
                ),
                ("h", "Dark and quiet skies", "UNOOSA", "Space Applications Section"),
                ("i", "Space for Women", "UNOOSA", "Space Applications Section"),
                ("j", "Space for Water", "UNOOSA", "Space Applications Section"),
                ("k", "Space resources", "UNOOSA", "Committee, Policy and Legal Affairs Section"),
            ],
        },
    ],
}

EVENTS = [NEW_YORK, VIENNA]
PARTICIPANT_COUNT = 60
ORGANISER_EMAIL = "organiser@example.org"
