"""Running a transaction again when PostgreSQL gave it up for a conflict with another."""

import functools
import logging
from collections.abc import Callable

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# serialization_failure, deadlock_detected: the transaction was rolled back and may simply run again
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def conflict_retryable(error: BaseException) -> bool:
    """Whether ``error`` is a serialization failure or deadlock (Django wraps psycopg's error)."""
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(function: Callable | None = None, *, attempts: int = 3):
    """Run the decorated function (its whole transaction) again on a deadlock or serialization failure.

    Only the outermost transaction can be retried: called inside another
    atomic block the error goes up unchanged, for the outer boundary to
    retry. After ``attempts`` tries the last error is raised.
    """

    def decorate(inner: Callable) -> Callable:
        @functools.wraps(inner)
        def run(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return inner(*args, **kwargs)
                except OperationalError as error:
                    if (
                        attempt == attempts
                        or not conflict_retryable(error)
                        or transaction.get_connection().in_atomic_block
                    ):
                        raise
                    logger.warning(
                        "%s: database conflict (%s), attempt %d of %d, running it again",
                        inner.__qualname__,
                        error.__cause__.sqlstate,
                        attempt,
                        attempts,
                    )
            raise AssertionError("unreachable")

        return run

    return decorate(function) if function is not None else decorate
