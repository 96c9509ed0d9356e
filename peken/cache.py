"""Django's Redis cache with one redis-py client per connection pool.

Django's client builds a new ``redis.Redis`` for every cache call, and its
constructor fills a table of a few hundred response callbacks: about a fifth
of a millisecond per call, which was most of the CPU a shared page costs
(peken/page_cache.py reads two to four keys). A redis-py client is safe to
share between threads, so one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

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
