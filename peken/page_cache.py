"""Whole-page cache of the catalogue, shared by everyone who sees the same page.

A catalogue page looks the same to everyone in one *audience*: shoppers
buying for themselves (signed in or not), or for one agency, and, on listings
ranked near the buyer, living in one kecamatan. Such a page is rendered once
per audience and then served from the cache (what a CDN in front of a shop
does, kept inside the app so it knows who may be served a shared page), with
each visitor's own account links, basket, official-buying band, menu and
product offers filled in (peken/personal.py): the page a render would have
given them. Listings, the home page and search live
``PEKEN_PAGE_CACHE_SECONDS``; a product page is keyed by what changes on it
(catalogue_ext.selectors.product_page_state) and lives
``PEKEN_PRODUCT_PAGE_CACHE_SECONDS``.

Passing straight through, rendered for the person: staff; a visitor with a
cookie basket not yet merged or a pending message; every non-GET request;
a URL with query parameters the catalogue does not use (so junk parameters
cannot fill the cache); a render that queued a message, changed the session
or set a cookie. Forms in a shared page carry each visitor's own CSRF token
(peken/csrf.py). Prices and stock on listings may be up to a minute old;
order placement re-checks both under a lock.
"""

import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import get_language

from buyers.selectors import buyer_kecamatan
from catalogue_ext.selectors import product_page_state
from peken import personal
from peken.csrf import csrf_token_fill, csrf_token_share
from procurement.context_processors import official_agency_of

VERSION_KEY = "peken:page-version"
CACHEABLE_VIEWS = {
    "home",
    "catalogue:index",
    "catalogue:category",
    "catalogue:detail",
    "search:search",
    "sellers:shop",
}
# listings whose Rekomendasi order puts the signed-in buyer's kecamatan first (exposure/selectors.py)
NEAR_BUYER_VIEWS = {"catalogue:index", "catalogue:category", "search:search"}
CATALOGUE_PARAMETERS = {"q", "sort_by", "per_page", "page", "kecamatan"}
PRODUCT_VIEW = "catalogue:detail"
UNCHANGED_METHODS = ("GET", "HEAD")
# The audience of visitors without a session: no agency, no kecamatan (their record is shared too).
NOBODY = ":"
# Each process reads the version at most this often: a page_cache_invalidate() elsewhere shows
# within this, one cache round trip fewer per shared page.
VERSION_READ_SECONDS = 1.0
_version_read = {"value": None, "at": 0.0}


def page_cache_invalidate() -> None:
    """Drop every shared page at once (a shop went off sale, say): later pages are rendered anew."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), None)
    _version_read["value"] = None


def _version() -> int:
    now = time.monotonic()
    if _version_read["value"] is None or now - _version_read["at"] > VERSION_READ_SECONDS:
        # a version lost from the cache restarts from the clock, never from an old number
        _version_read.update(value=cache.get_or_set(VERSION_KEY, time.time_ns, None), at=now)
    return _version_read["value"]


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        view, seconds = self._shared_view(request)
        if seconds:
            response = self._shared(request, view, seconds, session_key)
        else:
            response = self.get_response(request)
        if session_key is not None and self._may_change_what_is_shown(request):
            personal.record_forget(session_key)
        return response

    def _shared(self, request, view: str, seconds: int, session_key: str | None):
        language = get_language()
        # one round trip for a visitor without a session: their record's audience is known
        record_key = personal.record_key(session_key, language)
        guess = self._key(request, NOBODY) if session_key is None else None
        found = cache.get_many([record_key, guess] if guess else [record_key])
        record = found.get(record_key)
        if record is not None:
            key = self._key(request, self._audience(view, record))
            shared = found.get(key) if key == guess else cache.get(key)
            body = shared and personal.page_fill(shared, record=record, request=request)
            if body:
                return self._hit(body, request)
        request.peken_personal_marks = True
        response = self.get_response(request)
        if not self._html(response):
            return response
        # marks go, whatever the page (a missing category's 404 page has them too)
        marked = response.content.decode()
        response.content = personal.page_unmark(marked, request)
        user = request.user
        if not user.is_staff and self._shareable_response(request, response):
            agency = official_agency_of(request)
            shared, parts = personal.page_split(marked)
            record = {
                "user_id": user.pk,
                "agency": agency[0] if agency else None,
                "kecamatan": buyer_kecamatan(user=user),
                "parts": parts,
            }
            cache.set(self._key(request, self._audience(view, record)), csrf_token_share(shared), seconds)
            personal.record_set(session_key, language, record)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _hit(body: str, request):
        response = HttpResponse(csrf_token_fill(body, request))
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def _audience(view: str, record: dict) -> str:
        """What besides the personal parts a page depends on: the agency bought for, the buyer's kecamatan."""
        near = record["kecamatan"] if view in NEAR_BUYER_VIEWS else None
        return f"{record['agency'] or ''}:{near or ''}"

    @staticmethod
    def _shared_view(request) -> tuple[str, int]:
        """The view name of a page that may be shared and for how long (0: not shared)."""
        seconds = getattr(settings, "PEKEN_PAGE_CACHE_SECONDS", 0)
        cookies = request.COOKIES
        if (
            not seconds
            or request.method != "GET"
            or cookies.get(settings.OSCAR_BASKET_COOKIE_OPEN)
            or cookies.get("messages")
            or not set(request.GET) <= CATALOGUE_PARAMETERS
        ):
            return "", 0
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "", 0
        if match.view_name not in CACHEABLE_VIEWS:
            return "", 0
        if match.view_name == PRODUCT_VIEW:
            # keyed by what changes on it (catalogue_ext.selectors.product_page_state), so kept longer
            request.peken_page_state = product_page_state(product_id=match.kwargs["pk"])
            seconds = settings.PEKEN_PRODUCT_PAGE_CACHE_SECONDS if request.peken_page_state else 0
        return match.view_name, seconds

    @staticmethod
    def _may_change_what_is_shown(request) -> bool:
        session = getattr(request, "session", None)
        messages = getattr(request, "_messages", None)
        return (
            request.method not in UNCHANGED_METHODS
            or (session is not None and session.modified)
            or bool(getattr(messages, "_queued_messages", None))
        )

    @staticmethod
    def _html(response) -> bool:
        return not response.streaming and response.get("Content-Type", "").startswith("text/html")

    @classmethod
    def _shareable_response(cls, request, response) -> bool:
        messages = getattr(request, "_messages", None)
        return (
            response.status_code == 200
            and cls._html(response)
            # Nothing personal arose while rendering: no session data, no
            # message, no cookie (Oscar's recently-viewed cookie aside: Peken
            # never shows that list, see recently_viewed_products.html).
            and not request.session.modified
            and not getattr(messages, "_queued_messages", None)
            and set(response.cookies) <= {settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME}
            # A CSP nonce is good for one response: a shared copy would carry a
            # stale one that the next visitor's header does not allow, and its
            # scripts would not run. Shared pages therefore use static scripts
            # only (templates/oscar/layout.html); a page that asked for a nonce
            # anyway is not shared.
            and getattr(request, "_csp_nonce", None) is None
        )

    @staticmethod
    def _key(request, audience: str) -> str:
        query = urlencode(sorted(request.GET.items()))
        page = hashlib.sha256(f"{request.get_host()}{request.path}?{query}".encode()).hexdigest()
        state = getattr(request, "peken_page_state", "")
        return f"peken:page:{_version()}:{get_language()}:{audience}:{state}:{page}"
