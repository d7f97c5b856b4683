"""The API's plumbing: declare an operation once; it is authenticated, parsed, answered and
documented from that one declaration.

``@operation(...)`` sits under the route decorator and holds what the OpenAPI document says
about the operation (``openapi.py`` collects it from the registered routes). At request time it
authenticates the caller, checks the role, validates the query string and the JSON body with
the declared pydantic models and serialises the returned model.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from inspect import signature
from typing import Any, TypeVar

from flask import Response, current_app, request
from pydantic import BaseModel, ValidationError

from meetingapp.api.schemas import PageQuery
from meetingapp.domain.visibility import can_manage
from meetingapp.web import ApiError


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    auth: str
    organiser_only: bool
    response: type[BaseModel] | None
    status: int
    body: type[BaseModel] | None
    body_required: bool
    query: type[BaseModel] | None
    errors: tuple[int, ...]
    description: str
    media_type: str = "application/json"


def operation(
    *,
    summary: str,
    tag: str,
    auth: str = "bearer",
    organiser_only: bool = False,
    response: type[BaseModel] | None = None,
    status: int = 200,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    description: str = "",
    media_type: str = "application/json",
) -> Callable:
    """Declare an API operation. The view receives ``caller``, ``body`` and ``query`` when it
    names them, and returns an instance of ``response`` (or None for 204)."""
    op = Operation(
        summary,
        tag,
        auth,
        organiser_only,
        response,
        status,
        body,
        body_required,
        query,
        tuple(errors),
        description,
        media_type,
    )

    def decorate(view: Callable) -> Callable:
        wants = set(signature(view).parameters)

        @wraps(view)
        def handler(**path_args: Any):
            from meetingapp.api.auth import caller_for

            kwargs = dict(path_args)
            caller = caller_for(op.auth)
            if op.organiser_only and not can_manage(caller):
                raise ApiError(403, "forbidden", "Only organisers can do this.")
            if "caller" in wants:
                kwargs["caller"] = caller
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            if op.body is not None:
                kwargs["body"] = parse_body(op.body, required=op.body_required)
            return answer(view(**kwargs), op)

        handler.api_operation = op
        return handler

    return decorate


# --- input -----------------------------------------------------------------------------------

# Pydantic error types that mean "not even the right JSON type": 400 rather than 422.
_MALFORMED = {"json_invalid", "int_parsing", "float_parsing", "bool_parsing", "int_from_float"}
_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "string_pattern_mismatch": "Must not be blank.",
}


def _message(error: dict) -> str:
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]]
    message = str(error.get("msg", "Not valid."))
    return message.removeprefix("Value error, ") + ("" if message.endswith(".") else ".")


def _wrong_type(error: dict) -> bool:
    return error["type"] in _MALFORMED or error["type"].endswith("_type")


def validation_error(exc: ValidationError) -> ApiError:
    """400 when the body is not an object or a field has the wrong JSON type, otherwise 422.

    A field that may take several types (an id or a name) is of the wrong type only when it
    fits none of them.
    """
    by_field: dict[str, list[dict]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc = error.get("loc") or ()
        by_field.setdefault(str(loc[0]) if loc else "", []).append(error)
    if "" in by_field:
        return ApiError(
            400, "bad_request", "The body is not a JSON object: " + _message(by_field[""][0])
        )
    fields = {
        name: _message(next((e for e in errors if not _wrong_type(e)), errors[0]))
        for name, errors in by_field.items()
    }
    if any(all(_wrong_type(e) for e in errors) for errors in by_field.values()):
        return ApiError(400, "bad_request", "Some fields have the wrong JSON type.", fields=fields)
    return ApiError(422, "invalid", "Some fields are not valid.", fields=fields)


def parse_body(model: type[BaseModel], *, required: bool) -> BaseModel:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "Send a JSON object as the request body.")
        raw = b"{}"
    elif not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
        raise ApiError(
            400, "bad_request", "Send the body as JSON (Content-Type: application/json)."
        )
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise validation_error(exc) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    values = {name: request.args[name] for name in model.model_fields if name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc) from None


# --- output ----------------------------------------------------------------------------------


def answer(result: BaseModel | Response | None, op: Operation) -> Response:
    if isinstance(result, Response):  # a stream, built by the view
        return result
    if op.status == 204:
        return current_app.response_class(status=204)
    if op.response is not None and not isinstance(result, op.response):
        result = op.response.model_validate(result)
    return current_app.response_class(
        result.model_dump_json(), status=op.status, mimetype="application/json"
    )


# --- pagination ------------------------------------------------------------------------------

T = TypeVar("T")


def encode_cursor(item_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    match = re.fullmatch(r"after:(\d{1,10})", text)
    if match is None:
        raise ApiError(
            400,
            "bad_cursor",
            "This cursor is not one we gave out.",
            fields={"cursor": "Use next_cursor from the previous page."},
        )
    return int(match.group(1))


def paginate(
    items: Sequence[T], query: PageQuery, key: Callable[[T], int] = lambda i: i.id
) -> tuple[list[T], str | None]:
    """One page of ``items`` (already in order) after the cursor's item, and the next cursor."""
    start = 0
    if query.cursor:
        last = decode_cursor(query.cursor)
        ids = [key(item) for item in items]
        if last not in ids:
            raise ApiError(
                400,
                "bad_cursor",
                "The item this cursor points after is gone; start again from the first page.",
                fields={"cursor": "No longer valid."},
            )
        start = ids.index(last) + 1
    page = list(items[start : start + query.limit])
    more = start + query.limit < len(items)
    return page, (encode_cursor(key(page[-1])) if more and page else None)
