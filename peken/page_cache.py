"""Whole-page cache for anonymous visitors of the catalogue.

Most catalogue traffic is people who have not signed in and have no basket
yet; they all see the same page, so it is rendered once a minute and then
served from the cache (what a CDN in front of a shop does, kept inside the
app so it knows who may be served a shared page). Anyone signed in, with a
session, a basket or a pending message, and every non-GET request, passes
straight through, as does a URL with query parameters the catalogue does not
use (so junk parameters cannot fill the cache). Forms in a shared page carry
each visitor's own CSRF token (peken/csrf.py). Prices and stock shown may be
up to ``PEKEN_PAGE_CACHE_SECONDS`` old; order placement re-checks both under
a lock.
"""

import hashlib
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import get_language

from peken.csrf import csrf_token_fill, csrf_token_share

VERSION_KEY = "peken:page-version"
CACHEABLE_VIEWS = {"home", "catalogue:index", "catalogue:category", "catalogue:detail", "search:search",
                   "sellers:shop"}
CATALOGUE_PARAMETERS = {"q", "sort_by", "per_page", "page", "kecamatan"}


def page_cache_invalidate() -> None:
    """Drop every shared page at once (a shop went off sale, say): later pages are rendered anew."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), None)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = getattr(settings, "PEKEN_PAGE_CACHE_SECONDS", 0)
        if not seconds or not self._shared_page_request(request):
            return self.get_response(request)
        key = self._key(request)
        body = cache.get(key)
        if body is not None:
            response = HttpResponse(csrf_token_fill(body, request))
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._shareable_response(request, response):
            cache.set(key, csrf_token_share(response.content.decode()), seconds)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _shared_page_request(request) -> bool:
        if request.method != "GET" or request.user.is_authenticated:
            return False
        cookies = request.COOKIES
        if any(name in cookies for name in (settings.SESSION_COOKIE_NAME, settings.OSCAR_BASKET_COOKIE_OPEN,
                                             "messages")):
            return False
        if not set(request.GET) <= CATALOGUE_PARAMETERS:
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in CACHEABLE_VIEWS

    @staticmethod
    def _shareable_response(request, response) -> bool:
        messages = getattr(request, "_messages", None)
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
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
    def _key(request) -> str:
        query = urlencode(sorted(request.GET.items()))
        page = f"{request.get_host()}{request.path}?{query}".encode()
        version = cache.get_or_set(VERSION_KEY, time.time_ns, None)
        return f"peken:page:{version}:{get_language()}:{hashlib.sha256(page).hexdigest()}"
