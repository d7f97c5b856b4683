"""Schemathesis fuzzes every operation of /api/v1/openapi.json in-process, on the demo data.

It sends generated requests (valid and invalid) with an organiser's bearer token and checks that
no answer is a 5xx and every answer matches the document: a documented status code, JSON where
JSON is promised, and a body that validates against the operation's schema for that status.
Random ids mostly meet 404s, so each operation with ids in its path is fuzzed once more against
rows of the demo that exist, which takes the generated bodies through to the services.

The operations are driven one by one with ``APIOperation.as_strategy`` rather than through
``schemathesis.pytest.from_fixture``: that integration (schemathesis 4.32) sets
``Function._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

import base64
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.models import Event, SessionKind
from meetingapp.models.user import user_by_email
from tests.conftest import DEMO_NOW

pytestmark = [pytest.mark.demo, pytest.mark.slow]

ORGANISER = "organiser@example.org"
UPCOMING_NEW_YORK = "UN-Space, 44th session"
UPCOMING_VIENNA = "UN-Space, 21st open informal session “Getting to know the UN: speed dating”"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class OrganiserAuth:
    """An organiser's bearer token, issued again if a fuzzed DELETE /tokens/{id} revoked it."""

    def __init__(self, app) -> None:
        self.app = app
        self.password = app.config["DEMO_PASSWORD"]
        self.secret = self._issue()

    def _issue(self) -> str:
        with self.app.app_context():
            user = user_by_email(ORGANISER)
            secret = api_tokens.issue_token(user=user, name="fuzz", now=DEMO_NOW).secret
            db.session.remove()
        return secret

    def headers_for(self, case) -> dict[str, str]:
        with self.app.app_context():
            alive = api_tokens.authenticate_token(self.secret, DEMO_NOW) is not None
            db.session.remove()
        if not alive:
            self.secret = self._issue()
        if case.operation.method.upper() == "POST" and case.operation.path == "/tokens":
            basic = base64.b64encode(f"{ORGANISER}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {basic}"}
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def organiser_auth(app, clock):
    # The demo's upcoming editions are open for registration and picks at this instant.
    clock.set(DEMO_NOW)
    # A live stream answers its opening event, then closes (the case reads the whole body):
    # an hour-long stream held each of its cases for a heartbeat, 15 s.
    app.config["LIVE_STREAM_MAX_SECONDS"] = 0.05
    return OrganiserAuth(app)


MAX_EXAMPLES = 25  # per operation and mode: about 2,300 cases, 40 s per database
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _real_ids(app) -> dict[str, list[int]]:
    """Ids of the demo's upcoming editions: the training day, the speed dating and its tables."""
    with app.app_context():
        events = {e.title: e for e in db.session.scalars(select(Event))}
        new_york, vienna = events[UPCOMING_NEW_YORK], events[UPCOMING_VIENNA]
        training = next(x for x in new_york.sessions if x.kind == SessionKind.TRAINING)
        speed = next(x for x in vienna.sessions if x.kind == SessionKind.SPEED_NETWORKING)
        ids = {
            "event_id": [new_york.id],
            "session_id": [training.id, speed.id],
            "table_id": [speed.tables[0].id],
        }
        db.session.remove()
    return ids


def _with_real_ids(operation, real_ids: dict[str, list[int]]) -> list[dict[str, int]]:
    names = [p.name for p in operation.path_parameters]
    if not names or any(name not in real_ids for name in names):
        return []
    return [
        {name: real_ids[name][i % len(real_ids[name])] for name in names}
        for i in range(max(len(real_ids[name]) for name in names))
    ]


def _fuzz(operation, mode, auth, counts: Counter, path_parameters: dict | None = None) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        counts[operation.label] += 1
        response = case.call(headers=auth.headers_for(case))
        case.validate_response(response, checks=CHECKS)

    run()


def test_api_answers_every_generated_request_as_documented(app, backend, organiser_auth, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    counts: Counter = Counter()
    real_ids = _real_ids(app)
    for operation in operations:
        for mode in MODES:
            try:
                _fuzz(operation, mode, organiser_auth, counts)
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): the positive run covers it.
                assert mode is GenerationMode.NEGATIVE, operation.label
        # Random ids mostly meet 404s: fuzz the bodies again against rows that exist.
        for path_parameters in _with_real_ids(operation, real_ids):
            _fuzz(operation, GenerationMode.POSITIVE, organiser_auth, counts, path_parameters)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert len(operations) == sum(len(methods) for methods in document["paths"].values())
    assert set(counts) == {op.label for op in operations}
    with capsys.disabled():
        print(
            f" schemathesis [{backend}]: {len(operations)} operations, "
            f"{sum(counts.values())} cases ",
            end="",
        )
