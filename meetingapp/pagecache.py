"""Answers that are the same for every viewer of a kind, built once per version of their data.

A cached answer is keyed by what it depends on, the event's ``version`` and ``changed_at``
(``models/versioning.py`` bumps them in the transaction of any change) among them, so a key can
never name a stale answer: there is nothing to invalidate, old keys just fall out of the LRU.
The cache lives in each process (each gunicorn worker keeps its own: correct because the key is
read from the database on every request) and is bounded in bytes (``PAGE_CACHE_BYTES``).

The same key gives the ETag, so browsers and calendar apps revalidate for free: ``304 Not
Modified`` when nothing changed.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from cachetools import LRUCache
from flask import Response, current_app, request

T = TypeVar("T")
_EXTENSION = "meetingapp.pagecache"


def _size(value: object) -> int:
    if isinstance(value, str | bytes):
        return len(value) + 64
    if isinstance(value, tuple):
        return sum(_size(v) for v in value) + 64
    return 256


class PageCache:
    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=_size)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: tuple, build: Callable[[], T]) -> T:
        with self._lock:
            found = self._entries.get(key, _MISSING)
            if found is not _MISSING:
                self.hits += 1
                return found
            self.misses += 1
        value = build()  # outside the lock: two threads may build the same answer once each
        if _size(value) <= self._entries.maxsize:
            with self._lock:
                self._entries[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()


def page_cache() -> PageCache:
    """This app's cache (tests build many apps on many databases: never share one)."""
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions[_EXTENSION] = PageCache(
            current_app.config.get("PAGE_CACHE_BYTES", 32 * 1024 * 1024)
        )
    return cache


def cached(key: tuple, build: Callable[[], T]) -> T:
    return page_cache().get_or_build(key, build)


def etag_of(key: tuple) -> str:
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


def not_modified(etag: str) -> bool:
    """The request already holds this answer (If-None-Match)."""
    return etag in request.if_none_match


def validated(response: Response, etag: str, last_modified: datetime | None) -> Response:
    """Mark a cacheable answer: browsers keep it and ask again with If-None-Match."""
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def answer_not_modified(etag: str, last_modified: datetime | None) -> Response:
    return validated(Response(status=304), etag, last_modified)
