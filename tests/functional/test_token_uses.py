"""A token's "last used" is noted without a write per request: the first use at once, the uses
that follow within ten seconds together with the next write (issue 23: bookkeeping off the
registration's path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from meetingapp.api.tokens import issue_token
from meetingapp.extensions import db
from meetingapp.models import ApiToken
from tests import factories

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def _last_used(token_id: int):
    db.session.expire_all()
    return db.session.get(ApiToken, token_id).last_used_at


def test_uses_are_written_at_once_then_together(app, client, clock):
    clock.set(NOW)
    people = [factories.user() for _ in range(3)]
    db.session.commit()
    tokens = [issue_token(user=p, name="sync", now=NOW) for p in people]

    def use(i: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[i].secret}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200

    use(0)
    assert _last_used(tokens[0].record.id) == NOW  # the first use is written at once
    clock.advance(seconds=2)
    use(1)
    assert _last_used(tokens[1].record.id) is None  # noted, not written yet
    clock.advance(seconds=9)
    use(2)  # eleven seconds after the last write: this one writes both
    assert _last_used(tokens[1].record.id) == NOW + timedelta(seconds=2)
    assert _last_used(tokens[2].record.id) == NOW + timedelta(seconds=11)
    clock.advance(seconds=20)
    use(0)  # within a minute of its last use: nothing to note, nothing written
    assert _last_used(tokens[0].record.id) == NOW
