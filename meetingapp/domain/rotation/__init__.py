"""Speed-networking table rotation: provably optimal preferences, then mixing.

Pure Python (numpy; scipy only for rare fallbacks); no Flask, no SQLAlchemy.  See
:mod:`.solver` for the method and :mod:`.bound` for the lower bound on repeated encounters.
Organisers' rules: ``ParticipantSpec(moves=False)`` keeps someone at one table,
``RotationProblem(apart=((p, q), ...), together=((p, q), ...))`` keeps pairs apart or
together (JSON: ``"moves": false`` on a participant, ``"apart"``/``"together"`` lists of
pairs of participant ids).
"""

from .jsonio import plan_to_json, problem_from_json, problem_to_json
from .model import (
    Assignment,
    FixedAssignment,
    Infeasible,
    MalformedProblem,
    ParticipantSpec,
    RotationPlan,
    RotationProblem,
    TableSpec,
)
from .solver import solve

__all__ = [
    "Assignment",
    "FixedAssignment",
    "Infeasible",
    "MalformedProblem",
    "ParticipantSpec",
    "RotationPlan",
    "RotationProblem",
    "TableSpec",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "solve",
]
