"""The OpenAPI 3.1 document, generated from the registered routes and their ``@operation``
declarations, served as JSON and rendered server-side as a readable page."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, current_app, jsonify, render_template
from markupsafe import Markup, escape
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from meetingapp.api import bp
from meetingapp.api.http import Operation
from meetingapp.api.schemas import MAX_ID, ErrorBody

PREFIX = "/api/v1"
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
TAGS = [
    {"name": "tokens", "description": "Bearer tokens: get one with your e-mail and password."},
    {"name": "accounts", "description": "Sign-up, who you are, organisations."},
    {"name": "events", "description": "Events (organisers create and change them)."},
    {
        "name": "sessions",
        "description": "Sessions of an event, training-day parts, rounds and topic tables.",
    },
    {"name": "registrations", "description": "Registering, the waitlist, your itinerary."},
    {"name": "rotation", "description": "Table picks and the speed-networking rotation."},
    {"name": "attendance", "description": "Check-ins by organisers and table hosts."},
    {"name": "live", "description": "The clock of a speed-networking session on the day."},
]
DESCRIPTION = """\
JSON in and out. Authenticate with `Authorization: Bearer <token>`; get a token from
`POST /tokens` with HTTP Basic (your e-mail address and password). The session cookie of the web
pages is never accepted here.

**Errors** are `{"error": {"code", "message", "fields"}}` (`fields` only for validation): 400 the
body is not JSON or has the wrong JSON types, 401 no or a bad token, 403 not allowed for your
role, 404 unknown id, 409 a conflict with the current state (already registered, e-mail taken,
registration closed), 422 values that break a rule.

**Lists** take `limit` (1–200, default 50) and `cursor` (the previous page's `next_cursor`) and
answer `{"items": [...], "next_cursor": ...}`.

**Times** are ISO 8601 with the offset of the event's zone, next to a `timezone` field with the
zone's IANA name. Times sent without an offset are read as the event's local wall-clock time.
Rounds are numbered from 1.
"""
_STATUS_TEXT = {
    400: "Malformed request: not JSON, or fields of the wrong JSON type",
    401: "Missing, unknown or revoked credentials",
    403: "Not allowed for your role",
    404: "No such resource (or not visible to you)",
    409: "Conflicts with the current state",
    422: "Values that break a rule; see error.fields",
    429: "Too many attempts; wait a minute",
}
_SECURITY = {
    "public": [],
    "optional": [{}, {"bearerAuth": []}],
    "bearer": [{"bearerAuth": []}],
    "basic": [{"basicAuth": []}],
}
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _operations(app: Flask) -> list[tuple[str, str, str, Operation]]:
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        op: Operation | None = getattr(view, "api_operation", None)
        if op is None or not rule.rule.startswith(PREFIX):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule[len(PREFIX) :], method.lower(), view.__name__, op))
    return sorted(found, key=lambda item: (item[0], item[1]))


def _models(ops: list[tuple[str, str, str, Operation]]) -> list[tuple[type[BaseModel], str]]:
    wanted: dict[tuple[type[BaseModel], str], None] = {(ErrorBody, "serialization"): None}
    for *_, op in ops:
        if op.body is not None:
            wanted[(op.body, "validation")] = None
        if op.response is not None:
            wanted[(op.response, "serialization")] = None
    return list(wanted)


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        description = prop.pop("description", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _responses(path: str, op: Operation, refs: dict) -> dict:
    responses: dict[str, Any] = {}
    if op.status == 204:
        responses["204"] = {"description": "Done; no content"}
    elif op.media_type == "text/event-stream":
        responses[str(op.status)] = {
            "description": op.summary,
            "content": {
                "text/event-stream": {
                    # The schema of each event of the stream (OpenAPI 3.2 / Schemathesis
                    # read a text/event-stream body as a series of these objects).
                    "schema": {
                        "type": "object",
                        "description": "Server-Sent Events: `id: <version>`, `event: live`, "
                        "`data: <the JSON of GET …/live>`; `event: ping` and comments as "
                        "heartbeats",
                        "properties": {
                            "event": {"type": "string", "enum": ["live", "ping"]},
                            "id": {"type": "string", "pattern": "^[0-9]+$"},
                            "data": {"type": "string"},
                            "retry": {"type": "integer", "minimum": 0},
                        },
                        "required": ["data"],
                    }
                }
            },
        }
    else:
        responses[str(op.status)] = {
            "description": op.summary,
            "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
        }
    statuses = set(op.errors)
    if op.body is not None or op.query is not None:
        statuses |= {400, 422}
    if op.auth != "public":
        statuses.add(401)
    if op.organiser_only:
        statuses.add(403)
    if "{" in path:
        statuses.add(404)
    for status in sorted(statuses):
        entry: dict[str, Any] = {
            "description": _STATUS_TEXT[status],
            "content": {"application/json": {"schema": ERROR_REF}},
        }
        if status == 401:
            entry["headers"] = {
                "WWW-Authenticate": {
                    "description": "The scheme to use",
                    "schema": {"type": "string"},
                }
            }
        responses[str(status)] = entry
    return responses


def build_document(app: Flask) -> dict:
    ops = _operations(app)
    refs, top = models_json_schema(_models(ops), ref_template="#/components/schemas/{model}")
    paths: dict[str, dict] = {}
    for rule_path, method, name, op in ops:
        path = _PARAM.sub(lambda m: "{" + m.group("name") + "}", rule_path)
        parameters = [
            {
                "name": m.group("name"),
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
            for m in _PARAM.finditer(rule_path)
        ]
        if op.query is not None:
            parameters += _query_parameters(op.query)
        entry: dict[str, Any] = {
            "operationId": name,
            "summary": op.summary,
            "tags": [op.tag],
            "security": _SECURITY[op.auth],
            "responses": _responses(path, op, refs),
        }
        description = op.description + ("\n\nOrganisers only." if op.organiser_only else "")
        if description.strip():
            entry["description"] = description.strip()
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": op.body_required,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        paths.setdefault(path, {})[method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "meetingapp API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": PREFIX}],
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from POST /tokens",
                },
                "basicAuth": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "Your e-mail address and password",
                },
            },
        },
    }


def document() -> dict:
    """The document for the running app, built once."""
    return current_app.extensions.setdefault("meetingapp_openapi", build_document(current_app))


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())


# --- the readable page -----------------------------------------------------------------------


@bp.app_template_filter("api_markdown")
def api_markdown(text: str) -> Markup:
    """The little Markdown the descriptions use: `code` and **bold**."""
    html = str(escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    # The text was escaped before the two tags went in.
    return Markup(html)  # noqa: S704  # nosec B704


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_html(schema: dict) -> Markup:
    """A short description of a JSON Schema, with links: ``array of <a>EventOut</a>``."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return Markup('<a href="#schema-{0}">{0}</a>').format(name)
    if "anyOf" in schema:
        return Markup(" or ").join(type_html(option) for option in schema["anyOf"])
    if "enum" in schema:
        return Markup("one of ") + Markup(", ").join(
            Markup("<code>{}</code>").format(value) for value in schema["enum"]
        )
    kind = schema.get("type", "any")
    if kind == "array":
        return Markup("array of ") + type_html(schema.get("items", {}))
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return Markup("object of ") + type_html(schema["additionalProperties"])
    bounds = []
    if "format" in schema:
        bounds.append(schema["format"])
    if "minimum" in schema or "maximum" in schema:
        bounds.append(f"{schema.get('minimum', '')}–{schema.get('maximum', '')}")
    if "maxLength" in schema:
        bounds.append(f"≤ {schema['maxLength']} characters")
    if "maxItems" in schema:
        bounds.append(f"≤ {schema['maxItems']} items")
    return escape(kind + (f" ({', '.join(bounds)})" if bounds else ""))


def _describe(prop: dict) -> str:
    default = f"Default: {json.dumps(prop['default'])}." if "default" in prop else ""
    return " ".join(part for part in (prop.get("description", ""), default) if part)


def _fields(schema: dict) -> list[dict]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_html(prop),
            "required": name in required,
            "description": _describe(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _response_type(response: dict) -> Markup | None:
    """The body of a response as the docs page shows it: a JSON schema's type, or the media
    type of another body (the live stream's ``text/event-stream``)."""
    content = response.get("content")
    if not content:
        return None
    if "application/json" in content:
        return type_html(content["application/json"]["schema"])
    return Markup("<code>{}</code>").format(next(iter(content)))


@bp.get("/docs")
def docs():
    doc = document()
    operations = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "op": op,
                    "body": type_html(body["schema"]) if body else None,
                    "responses": [
                        {
                            "status": status,
                            "description": r["description"],
                            "type": _response_type(r),
                        }
                        for status, r in op["responses"].items()
                    ],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "type": type_html(p["schema"]),
                            "required": p["required"],
                            "description": _describe(
                                p["schema"] | {"description": p.get("description", "")}
                            ),
                        }
                        for p in op.get("parameters", [])
                    ],
                }
            )
    by_tag = {
        tag["name"]: [o for o in operations if o["op"]["tags"][0] == tag["name"]]
        for tag in doc["tags"]
    }
    schemas = {name: _fields(schema) for name, schema in doc["components"]["schemas"].items()}
    return render_template(
        "api/docs.html",
        doc=doc,
        by_tag=by_tag,
        schemas=schemas,
        component_docs={
            n: s.get("description", "") for n, s in doc["components"]["schemas"].items()
        },
    )
