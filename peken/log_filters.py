"""Refused requests are logged as one line, not as a traceback."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Drop the traceback from Django's record of a 4xx answer (403, 404, 400, CSRF, bad host).

    A refusal is the code working as meant: the page already tells the
    visitor why, and a traceback per refused request would bury the real
    failures (5xx keep theirs).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
