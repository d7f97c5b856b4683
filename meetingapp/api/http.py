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
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from inspect import signature
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from meetingapp.api.schemas import MAX_ID, PageQuery
from meetingapp.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from meetingapp.extensions import db


def now() -> datetime:
    """The current instant; tests replace it to act at a fixed time."""
    return datetime.now(UTC)


class ApiError(Exception):
    """An answer other than success, raised anywhere in an operation."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = fields, headers or {}


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
    )

    def decorate(view: Callable) -> Callable:
        wants = set(signature(view).parameters)

        @wraps(view)
        def handler(**path_args: Any):
            from meetingapp.api.auth import caller_for

            kwargs = dict(path_args)
            caller = caller_for(op.auth)
            if op.organiser_only and not (caller is not None and caller.is_organiser):
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


def answer(result: BaseModel | None, op: Operation) -> Response:
    if op.status == 204:
        return current_app.response_class(status=204)
    if op.response is not None and not isinstance(result, op.response):
        result = op.response.model_validate(result)
    return current_app.response_class(
        result.model_dump_json(), status=op.status, mimetype="application/json"
    )


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    response = current_app.response_class(
        json.dumps({"error": error}), status=status, mimetype="application/json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# Form field names used by the services, as the API calls them.
_FIELD_NAMES = {
    "day": "starts_at",
    "start_time": "starts_at",
    "end_time": "ends_at",
    "current_password": "password",
    "table": "tables",
    "file": "body",
}  # nosec B105
_BASE_CODES = {
    NotFound: "not_found",
    PermissionDenied: "forbidden",
    ValidationFailed: "invalid",
    DomainError: "conflict",
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "invalid",
    429: "rate_limited",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def domain_error_response(exc: DomainError) -> Response:
    cls = type(exc)
    code = _BASE_CODES.get(cls) or _snake(cls.__name__)
    field = getattr(exc, "field", None)
    fields = {_FIELD_NAMES.get(field, field): str(exc)} if field else None
    return error_response(exc.status_code, code, str(exc), fields)


def register_error_handlers(bp: Blueprint) -> None:
    """JSON errors for everything raised inside the API, with the fields that went wrong."""

    @bp.errorhandler(ApiError)
    def api_error(exc: ApiError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @bp.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return domain_error_response(exc)

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        status = exc.code or 500
        response = error_response(
            status, _HTTP_CODES.get(status, "error"), exc.description or exc.name
        )
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        current_app.logger.exception("unhandled API error on %s %s", request.method, request.path)
        return error_response(
            500, "server_error", "Something went wrong on our side; nothing was saved."
        )

    @bp.url_value_preprocessor
    def ids_in_range(_endpoint, values):
        # Werkzeug's int converter takes any length; our ids are 32-bit.
        for value in (values or {}).values():
            if isinstance(value, int) and not 1 <= value <= MAX_ID:
                raise ApiError(404, "not_found", "There is no such resource.")


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
