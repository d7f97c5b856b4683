"""The demo's content in French: the 2024 speed dating's session and its eleven topic tables.

Keyed by the English original (``data.VIENNA``); the upcoming edition is a clone, and cloning
copies translations, so its tables read in French too (issue 22, item 2). French UN usage:
« ONU-Espace », a non-breaking space before the colon.
"""

from __future__ import annotations

SESSION_FR = {
    "Getting to know the UN: speed dating": {
        "title": "Mieux connaître l’ONU\u00a0: rencontres express",
    },
}

TABLE_TOPICS_FR = {
    "Intellectual property and space activities": "Propriété intellectuelle et activités spatiales",
    "Nuclear safety and outer space": "Sûreté nucléaire et espace extra-atmosphérique",
    "Earth observation and geospatial analysis for crime monitoring": (
        "Observation de la Terre et analyse géospatiale pour la surveillance de la criminalité"
    ),
    "Trends, developments and prospects of multilateral space security processes": (
        "Tendances, évolution et perspectives des processus multilatéraux relatifs à la "
        "sécurité spatiale"
    ),
    "Monitoring nuclear explosions on Earth": "Surveillance des explosions nucléaires sur Terre",
    "Detecting objects in outer space with infrasound": (
        "Détection d’objets dans l’espace extra-atmosphérique au moyen des infrasons"
    ),
    "Satellite imagery acquisition and disaster management": (
        "Acquisition d’images satellitaires et gestion des catastrophes"
    ),
    "Dark and quiet skies": "Ciel nocturne sombre et silencieux",
    "Space for Women": "L’espace pour les femmes",
    "Space for Water": "L’espace pour l’eau",
    "Space resources": "Ressources spatiales",
}


def session_translations(title: str) -> dict:
    french = SESSION_FR.get(title)
    return {"fr": dict(french)} if french else {}


def table_translations(topic: str) -> dict:
    french = TABLE_TOPICS_FR.get(topic)
    return {"fr": {"title": french}} if french else {}
