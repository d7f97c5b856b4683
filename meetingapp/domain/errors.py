"""Typed domain failures; the web layer maps them to messages and status codes in one place."""


class DomainError(Exception):
    """A rule of the domain refused an action. ``str(exc)`` is a message fit for the user."""

    status_code = 409


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class ValidationFailed(DomainError):
    """Input broke a rule; ``field`` names the form field when there is one."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AmbiguousLocalTime(ValidationFailed):
    pass


class NonExistentLocalTime(ValidationFailed):
    pass


class DuplicateEmail(ValidationFailed):
    status_code = 409
