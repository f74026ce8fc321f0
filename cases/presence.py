"""Who has a case open right now, so that a second agent sees the first one.

Kept in the cache (shared across processes when CACHE_URL points at Redis), never in the
database: presence is a hint that expires on its own, not a record.
"""

from __future__ import annotations

import time

from django.core.cache import cache

TTL_SECONDS = 90


def _key(case_id: int) -> str:
    return f"case-presence:{case_id}"


def touch(case_id: int, user_id: int, name: str) -> None:
    now = time.time()
    viewers = {
        uid: entry
        for uid, entry in (cache.get(_key(case_id)) or {}).items()
        if now - entry["seen"] < TTL_SECONDS
    }
    since = viewers.get(user_id, {}).get("since", now)
    viewers[user_id] = {"name": name, "since": since, "seen": now}
    cache.set(_key(case_id), viewers, TTL_SECONDS)


def others(case_id: int, user_id: int) -> list[dict]:
    now = time.time()
    return [
        {"name": entry["name"], "since": entry["since"]}
        for uid, entry in (cache.get(_key(case_id)) or {}).items()
        if uid != user_id and now - entry["seen"] < TTL_SECONDS
    ]
