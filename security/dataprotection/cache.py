"""Cache keys that carry the office, and purging all of an office's keys after an erasure.

Anything cached about an office's data (a dashboard's figures, a report) must use
``office_cache_key``; an erasure then drops every such key of the office, so no cached page or
figure can show the erased person again. The cache rebuilds on the next read.
"""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

PREFIX = "office"


def office_cache_key(office_id: int, *parts: object) -> str:
    return ":".join([PREFIX, str(office_id), *(str(p) for p in parts)])


def office_cache_purge(office_id: int) -> int:
    """Delete every cache entry whose key starts with the office's prefix. Returns how many."""
    cache = caches["default"]
    pattern = cache.make_key(office_cache_key(office_id, "")) + "*"
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=pattern, count=500))
        return client.delete(*keys) if keys else 0
    if isinstance(cache, LocMemCache):
        start = pattern[:-1]
        with cache._lock:
            keys = [key for key in cache._cache if key.startswith(start)]
            for key in keys:
                cache._delete(key)
        return len(keys)
    cache.clear()  # an unknown backend: clearing everything is the only safe choice
    return -1
