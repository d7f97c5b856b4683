"""Typed domain failures; ``meetingapp.web`` maps them to pages and JSON in one place.

Each class has a ``code``, the stable name clients see in ``{"error": {"code": …}}``: the four
bases name their kind, every subclass its own name in snake case (``AlreadyRegistered`` →
``already_registered``) unless it sets one.
"""

import re


class DomainError(Exception):
    """A rule of the domain refused an action. ``str(exc)`` is a message fit for the user."""

    status_code = 409
    code = "conflict"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class ValidationFailed(DomainError):
    """Input broke a rule; ``field`` names the form field when there is one."""

    status_code = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AmbiguousLocalTime(ValidationFailed):
    pass


class NonExistentLocalTime(ValidationFailed):
    pass


class DuplicateEmail(ValidationFailed):
    status_code = 409


class SessionCancelled(DomainError):
    """The session or its event is cancelled: nothing more can be done with it."""
