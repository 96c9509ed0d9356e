"""The personal parts of a page that everyone else shares.

A catalogue page differs from one visitor to the next only in a few places:
the account links, the basket total, the official-buying band, the menu
entries of one's roles and, on a product page, the review and report offers.
Templates mark those places (``{% personal "name" %}`` and
``{% personal_call "name" args %}``, peken/templatetags/peken_personal.py),
so that the page cache (peken/page_cache.py) keeps one copy of the rest for
everyone in the same audience, signed in or not, and fills the marked places
per visitor.

- A *part* (``{% personal %}``) is the same on every page of one visitor's
  session: it is cut out of the first page rendered for the session and kept
  in the session's *record* (one record serves every visitor without a
  session), with the page's own path (the "next" of a form) left as a mark
  that is filled per page.
- A *call* (``{% personal_call %}``) depends on the page too (may I review
  this product?): a registered function computes it from the visitor's user
  id (None if signed out) and the call's arguments, both when the page is
  rendered and when it is filled.

So a filled copy is byte for byte the page a render would have given (the
tests compare the two). A record lives ``PEKEN_PERSONAL_PARTS_SECONDS`` and
is dropped by any request of its session that may change what it shows (a
form sent, a message queued, the session changed); a change made elsewhere
(an approver's new inbox entry, a password changed on another device) shows
within that time.
"""

import hashlib
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape

from peken.csrf import csrf_token_fill, csrf_token_share

PATH_MARK = "<!--peken-path-->"
PART = re.compile(r"<!--peken-part:(\w+)-->(.*?)<!--/peken-part:\1-->", re.S)
CALL = re.compile(r"<!--peken-call:(\w+):([0-9a-f]*)-->(.*?)<!--/peken-call-->", re.S)
HOLE = re.compile(r"<!--peken-(part|call):(\w+)(?::([0-9a-f]*))?-->")

_calls: dict[str, Callable[..., str]] = {}


def call_register(name: str, function: Callable[..., str]) -> None:
    """Make ``function(user_id, *args) -> html`` the call part ``name`` (from an app's ready())."""
    _calls[name] = function


def marking(request) -> bool:
    """Whether this request's page is rendered to be shared, so its personal places are marked."""
    return getattr(request, "peken_personal_marks", False)


def part_render(request, name: str, html: str) -> str:
    return f"<!--peken-part:{name}-->{html}<!--/peken-part:{name}-->" if marking(request) else html


def path_render(request) -> str:
    return PATH_MARK if marking(request) else escape(request.get_full_path())


def call_render(request, name: str, args: tuple) -> str:
    html = csrf_token_fill(_calls[name](request.user.pk, *args), request)
    if not marking(request):
        return html
    encoded = json.dumps(list(args)).encode().hex()
    return f"<!--peken-call:{name}:{encoded}-->{html}<!--/peken-call-->"


def page_split(html: str) -> tuple[str, dict[str, str]]:
    """A marked page as (the shared copy with empty places, this person's parts)."""
    parts = {}

    def cut(match):
        parts.setdefault(match.group(1), match.group(2))
        return f"<!--peken-part:{match.group(1)}-->"

    shared = PART.sub(cut, html)
    shared = CALL.sub(lambda match: f"<!--peken-call:{match.group(1)}:{match.group(2)}-->", shared)
    return shared, parts


def page_unmark(html: str, request) -> str:
    """A marked page as its person sees it: the marks gone, the page's path in place."""
    html = CALL.sub(lambda match: match.group(3), html)
    return PART.sub(lambda match: match.group(2), html).replace(PATH_MARK, escape(request.get_full_path()))


def page_fill(shared: str, *, record: dict, request) -> str | None:
    """The shared copy with this person's parts and calls in place; None if a part is missing."""
    parts, path = record["parts"], escape(request.get_full_path())

    def fill(match) -> str:
        if match.group(1) == "call":
            return _calls[match.group(2)](record["user_id"], *json.loads(bytes.fromhex(match.group(3))))
        if match.group(2) not in parts:
            raise _PartMissing
        return parts[match.group(2)].replace(PATH_MARK, path)

    try:
        return HOLE.sub(fill, shared)  # one pass over the page
    except _PartMissing:  # a part this person's record lacks: the page is rendered for them
        return None


class _PartMissing(Exception):
    pass


def record_key(session_key: str | None, language: str) -> str:
    # visitors without a session share one record: their parts are the same for all of them
    who = "anonymous" if session_key is None else hashlib.sha256(session_key.encode()).hexdigest()
    return f"peken:personal:{who}:{language}"


def record_set(session_key: str | None, language: str, record: dict) -> None:
    """Keep a person's parts (stored without their CSRF token: each page gets the visitor's own)."""
    record = {**record, "parts": {name: csrf_token_share(html) for name, html in record["parts"].items()}}
    cache.set(record_key(session_key, language), record, settings.PEKEN_PERSONAL_PARTS_SECONDS)


def record_forget(session_key: str) -> None:
    """Drop a session's records in every language: what they show may have changed."""
    cache.delete_many([record_key(session_key, code) for code, _name in settings.LANGUAGES])
