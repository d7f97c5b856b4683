"""The live clock's JSON API and its Server-Sent Events (the contract of issue 18)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.live import service
from tests.live_world import NOW, START, live_world


@pytest.fixture
def world(app, clock):
    clock.set(NOW)
    w = live_world()
    w.tokens = {
        u.id: api_tokens.issue_token(user=u, name="live", now=NOW).secret
        for u in (w.organiser, w.host, w.outsider, w.people[0])
    }
    return w


def _auth(world, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user.id]}"}


def _url(world, suffix: str = "") -> str:
    return f"/api/v1/sessions/{world.session.id}/live{suffix}"


def test_participants_hosts_and_organisers_read_the_clock_others_may_not(client, world):
    answers = {
        who: client.get(_url(world), headers=_auth(world, user))
        for who, user in (
            ("participant", world.people[0]),
            ("host", world.host),
            ("organiser", world.organiser),
            ("outsider", world.outsider),
        )
    }
    assert {who: r.status_code for who, r in answers.items()} == {
        "participant": 200,
        "host": 200,
        "organiser": 200,
        "outsider": 403,
    }
    body = answers["participant"].get_json()
    assert {k: body[k] for k in ("state", "round", "phase_ends_at")} == {
        "state": "waiting",
        "round": None,
        "phase_ends_at": None,
    }
    assert body["server_time"].startswith("2024-11-20T11:55:00") and isinstance(
        body["version"], int
    )
    assert client.get(_url(world)).status_code == 401


def test_the_organiser_runs_the_clock_and_each_change_raises_the_version(client, clock, world):
    org = _auth(world, world.organiser)
    clock.set(START)
    started = client.post(_url(world), json={"action": "start"}, headers=org)
    assert started.status_code == 200
    body = started.get_json()
    assert (body["state"], body["round"]) == ("talking", 1)
    assert body["phase_ends_at"] == "2024-11-20T12:20:00Z"
    extended = client.post(_url(world), json={"action": "extend", "minutes": 5}, headers=org)
    assert extended.get_json()["phase_ends_at"] == "2024-11-20T12:25:00Z"
    paused = client.post(_url(world), json={"action": "pause"}, headers=org).get_json()
    resumed = client.post(_url(world), json={"action": "resume"}, headers=org).get_json()
    versions = [body["version"], extended.get_json()["version"], paused["version"]]
    assert versions == sorted(set(versions)) and resumed["version"] > versions[-1]
    assert (paused["state"], paused["phase_ends_at"], resumed["state"]) == (
        "paused",
        None,
        "talking",
    )


def test_phases_run_out_by_themselves_on_the_servers_clock(client, clock, world):
    org = _auth(world, world.organiser)
    clock.set(START)
    first = client.post(_url(world), json={"action": "start"}, headers=org).get_json()
    clock.set(START + timedelta(minutes=21))
    moving = client.get(_url(world), headers=_auth(world, world.people[0])).get_json()
    assert (moving["state"], moving["round"]) == ("moving", 2)
    assert moving["phase_ends_at"] == "2024-11-20T12:23:00Z"
    assert moving["version"] == first["version"] + 1  # written down once, for every server
    again = client.get(_url(world), headers=org).get_json()
    assert again["version"] == moving["version"]


@pytest.mark.parametrize(
    ("actions", "refused"),
    [
        (["start", "start"], "start"),
        (["start", "resume"], "resume"),
        (["start", "end", "next"], "next"),
        (["next"], "next"),
    ],
)
def test_an_action_that_does_not_fit_the_state_is_a_409(client, clock, world, actions, refused):
    org = _auth(world, world.organiser)
    clock.set(START)
    for action in actions[:-1]:
        assert client.post(_url(world), json={"action": action}, headers=org).status_code == 200
    r = client.post(_url(world), json={"action": actions[-1]}, headers=org)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "live_conflict"


def test_next_after_the_last_round_is_a_409(client, clock, world):
    org = _auth(world, world.organiser)
    clock.set(START)
    client.post(_url(world), json={"action": "start"}, headers=org)
    clock.set(START + timedelta(minutes=75))  # round 4
    assert client.get(_url(world), headers=org).get_json()["round"] == 4
    assert client.post(_url(world), json={"action": "next"}, headers=org).status_code == 409


def test_only_organisers_act_and_bad_bodies_are_refused(client, clock, world):
    clock.set(START)
    for user in (world.people[0], world.host):
        r = client.post(_url(world), json={"action": "start"}, headers=_auth(world, user))
        assert r.status_code == 403
    org = _auth(world, world.organiser)
    assert client.post(_url(world), json={"action": "dance"}, headers=org).status_code == 422
    client.post(_url(world), json={"action": "start"}, headers=org)
    r = client.post(_url(world), json={"action": "extend"}, headers=org)
    assert r.status_code == 422 and "minutes" in r.get_json()["error"]["fields"]


def test_an_unpublished_event_has_no_live_clock_for_participants(app, client, clock):
    clock.set(NOW)
    w = live_world(published=False)
    token = api_tokens.issue_token(user=w.people[0], name="t", now=NOW).secret
    r = client.get(
        f"/api/v1/sessions/{w.session.id}/live", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 404


def _events(response, count: int, limit: int = 50) -> list[str]:
    """The first ``count`` SSE blocks (events and comments), read from a streaming response."""
    blocks: list[str] = []
    buffer = ""
    chunks = iter(response.response)
    for _ in range(limit):
        chunk = next(chunks)
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            blocks.append(block)
        if len(blocks) >= count:
            return blocks
    return blocks


def _data(block: str) -> dict:
    fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
    return {"id": int(fields["id"]), "event": fields["event"]} | json.loads(fields["data"])


def test_the_stream_sends_the_state_on_connect_and_on_every_change(app, client, clock, world):
    clock.set(START)
    response = client.get(
        _url(world, "/stream"), headers=_auth(world, world.people[0]), buffered=False
    )
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    first = _events(response, 2)
    assert first[0].startswith("retry: ")
    connect = _data(first[1])
    assert connect["event"] == "live" and connect["state"] == "waiting"
    assert connect["id"] == connect["version"]
    service.perform(session_id=world.session.id, action="start", actor=world.organiser, now=START)
    (change,) = _events(response, 1)
    change = _data(change)
    assert (change["state"], change["round"], change["id"]) == ("talking", 1, change["version"])
    assert change["version"] > connect["version"]
    response.close()


def test_the_stream_honours_last_event_id_and_sends_heartbeats(app, client, clock, world):
    app.config["LIVE_HEARTBEAT_SECONDS"] = 0.2
    clock.set(START)
    snap = service.perform(
        session_id=world.session.id, action="start", actor=world.organiser, now=START
    )
    headers = _auth(world, world.people[0]) | {"Last-Event-ID": str(snap.version)}
    response = client.get(_url(world, "/stream"), headers=headers, buffered=False)
    _retry, connect, beat = _events(response, 3)
    assert _data(connect)["missed"] is False
    assert beat.startswith(":")
    response.close()
    older = _auth(world, world.people[0]) | {"Last-Event-ID": str(snap.version - 1)}
    response = client.get(_url(world, "/stream"), headers=older, buffered=False)
    assert _data(_events(response, 2)[1])["missed"] is True
    response.close()


def test_a_stream_closes_after_its_longest_life_and_the_client_reconnects(
    app, client, clock, world
):
    """Past ``LIVE_STREAM_MAX_SECONDS`` the server ends the stream (EventSource reconnects with
    Last-Event-ID); its body is the retry hint and the state, then it is over."""
    app.config["LIVE_STREAM_MAX_SECONDS"] = 0.2
    clock.set(START)
    response = client.get(_url(world, "/stream"), headers=_auth(world, world.people[0]))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith("retry: ") and "event: live" in body
    assert _data(body.split("\n\n")[1])["state"] == "waiting"


def test_the_live_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    live = paths["/sessions/{session_id}/live"]
    assert set(live) == {"get", "post"}
    assert "409" in live["post"]["responses"] and "403" in live["post"]["responses"]
    stream = paths["/sessions/{session_id}/live/stream"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    db.session.rollback()
