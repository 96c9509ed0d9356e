"""Run calls in parallel database transactions, released at the same moment."""

import threading
import time

from django.db import connections


def run_at_once(calls, *, delays=None, timeout: float = 300) -> list:
    """Run each call in its own thread (own connection), released together; returns each call's
    result or the exception it met. ``delays`` (seconds per call) staggers the start after release."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=60)
            if delays:
                time.sleep(delays[index])
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
