"""Speed-networking table rotation: provably optimal preferences, then mixing.

Pure Python (numpy + scipy); no Flask, no SQLAlchemy.  See :mod:`.solver` for the method.
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
