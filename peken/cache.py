"""Django's Redis cache with one redis-py client per connection pool.

Django's client builds a new ``redis.Redis`` for every cache call, and its
constructor fills a table of a few hundred response callbacks: about a fifth
of a millisecond per call, which was most of the CPU a shared page costs
(peken/page_cache.py reads two to four keys). A redis-py client is safe to
share between threads, so one per pool is kept and reused.

A large value (a city's year of red flags: tens of thousands of objects) is unpickled with the
garbage collector paused: each collection it would trigger half-way walks every object the
process holds, which made such a read six times slower (0.66 s against 0.1 s).
"""

import gc

from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer

# a value of this many bytes or more holds enough objects for a collection to start mid-way
LARGE_VALUE_BYTES = 64 * 1024


class PausedCollectorSerializer(RedisSerializer):
    def loads(self, data):
        if not isinstance(data, bytes) or len(data) < LARGE_VALUE_BYTES or not gc.isenabled():
            return super().loads(data)
        gc.disable()
        try:
            return super().loads(data)
        finally:
            gc.enable()


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._serializer = PausedCollectorSerializer()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PekenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
