"""Peken's Redis cache (peken/cache.py) reads a large value with the garbage collector paused, whole."""

import gc

from peken.cache import LARGE_VALUE_BYTES, PausedCollectorSerializer


class Seen:
    """A cached object that notes whether the collector ran while it was being read back."""

    collector_on: list[bool] = []

    def __init__(self, n: int):
        self.n = n

    def __setstate__(self, state):
        Seen.collector_on.append(gc.isenabled())
        self.__dict__.update(state)


def test_a_large_value_is_read_with_the_collector_paused():
    serializer = PausedCollectorSerializer()
    # given a value of many objects, larger than the threshold
    value = [Seen(n) for n in range(20_000)]
    data = serializer.dumps(value)
    assert len(data) >= LARGE_VALUE_BYTES
    # when it is read back, then it is whole, read with the collector paused, and the collector runs again
    Seen.collector_on.clear()
    back = serializer.loads(data)
    assert [s.n for s in back] == list(range(20_000))
    assert set(Seen.collector_on) == {False}
    assert gc.isenabled()


def test_a_small_value_is_read_as_django_reads_it():
    serializer = PausedCollectorSerializer()
    Seen.collector_on.clear()
    assert serializer.loads(serializer.dumps([Seen(1)]))[0].n == 1
    assert Seen.collector_on == [True]
    # integers stay unpickled, as Django's serializer keeps them for incr()
    assert serializer.dumps(5) == 5 and serializer.loads(b"5") == 5
