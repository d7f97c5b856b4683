"""The customer's real events (PRODUCT.md, from UN document A/AC.105/1341) as plain data."""

from __future__ import annotations

ORGANISATIONS = [
    ("CTBTO", "Comprehensive Nuclear-Test-Ban Treaty Organization"),
    ("CTED", "Counter-Terrorism Committee Executive Directorate"),
    ("DCO", "United Nations Development Coordination Office"),
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

# The organiser's notes per agenda item of the main session, abridged from the seed's
# paragraphs 10–32 (English rendering of the Chinese edition): the report draft's discussions.
AGENDA_NOTES = {
    "Space sustainability": (
        "The meeting considered space sustainability, a core part of the work of UN-Space, as "
        "shown by its latest special report, published in June 2024, on interdisciplinary "
        "approaches to addressing space debris.\n\n"
        "The meeting recalled that the proliferation of space debris, the increasing complexity "
        "of space operations and the emergence of large constellations continue to endanger "
        "space solutions critical to many of the Sustainable Development Goals.\n\n"
        "The meeting was briefed on the capacity-building work of the Office for Outer Space "
        "Affairs on space sustainability and on recent developments in the work of ITU, and "
        "underlined the importance of United Nations entities working together, within their "
        "mandates, to support States in addressing key issues of space sustainability."
    ),
    "Satellite imagery and its acquisition": (
        "The meeting considered satellite imagery a fundamental tool for United Nations "
        "programmes and activities; the lack of a concerted approach to acquiring imagery had "
        "led to costly single-use licences and many fragmented bilateral contracts.\n\n"
        "The meeting was informed that the Office for Outer Space Affairs had proposed to "
        "Member States an Earth observation data acquisition centre, with its secretariat in "
        "the Office, to aggregate the demand for imagery and coordinate its supply while "
        "strengthening capacity-building in developing countries."
    ),
    "Earth observation data and threats to related radio spectrum": (
        "The meeting considered that Earth observation data depend on continued, unrestricted "
        "access to essential bands of the radio spectrum, which terrestrial mobile "
        "telecommunications seek for International Mobile Telecommunications.\n\n"
        "The meeting was informed that the 8 GHz band (X band), the workhorse of most Earth "
        "observation downlinks, was being considered for 5G and 6G services, and noted that the "
        "Office for Outer Space Affairs would continue to raise awareness among regulators "
        "ahead of the 2027 World Radiocommunication Conference."
    ),
    "Showcase of capacity development and operational training services": (
        "As host of the forty-third session, the Capacity Development and Operational Training "
        "Service presented its work, highlighting the services most relevant to UN-Space and "
        "opportunities for collaboration: the United Nations knowledge portal, a documentary "
        "series on operational support in field missions, learning opportunities on the Unite "
        "Aware application, and data analytics."
    ),
    "UN-Space reports, publications and communication channels": (
        "The meeting was informed that the Office for Outer Space Affairs and the Food and "
        "Agriculture Organization of the United Nations were preparing, with UN-Space as the "
        "coordination tool, a publication on space technology for agriculture and food "
        "security, and that a new UN-Space SharePoint site, open to personnel of all United "
        "Nations entities, had been launched.\n\n"
        "The meeting decided that the next report of the Secretary-General prepared by UN-Space "
        "would focus on ensuring access to space data for the United Nations and developing "
        "countries."
    ),
}

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
# participant16 (DESA, a 2024 trainee) is DESA's focal point: My entity registers colleagues.
FOCAL_POINT = 16
ORGANISER_EMAIL = "organiser@example.org"
