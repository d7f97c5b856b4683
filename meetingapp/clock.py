"""The one clock. Views, services, jobs and the demo ask ``clock.now()``; tests freeze it.

In testing, the app's ``FROZEN_NOW`` setting (an aware ``datetime`` or an ISO 8601 string) fixes
the instant for every request that app serves, including a live server in another thread. The
``clock`` fixture of the test suite sets it; production never reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The current instant, aware and in UTC."""
    if has_app_context() and current_app.testing:
        frozen = current_app.config.get("FROZEN_NOW")
        if frozen:
            return _instant(frozen)
    return datetime.now(UTC)


def _instant(value: datetime | str) -> datetime:
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError("FROZEN_NOW must carry a UTC offset")
    return instant.astimezone(UTC)
