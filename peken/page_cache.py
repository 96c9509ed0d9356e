"""Whole-page cache for anonymous visitors of the catalogue.

Most catalogue traffic is people who have not signed in and have no basket
yet; they all see the same page, so it is rendered once per minute and then
served from the cache (what a CDN in front of a shop does, kept inside the
app so it knows who may be served a shared page). Anyone signed in, with a
session, a basket or a pending message, and every non-GET request, passes
straight through. Forms in a cached page carry a placeholder instead of the
CSRF token; each response gets the visitor's own token in its place.
Prices and stock shown may be up to ``PEKEN_PAGE_CACHE_SECONDS`` old; order
placement re-checks both under a lock.
"""

import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.translation import get_language

CACHEABLE_VIEWS = {"home", "catalogue:index", "catalogue:category", "catalogue:detail", "search:search"}
TOKEN_PLACEHOLDER = "__peken_csrf_token__"
TOKEN_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


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
            response = HttpResponse(body.replace(TOKEN_PLACEHOLDER, get_token(request)))
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._shareable_response(response):
            shared = TOKEN_FIELD.sub(rf"\g<1>{TOKEN_PLACEHOLDER}\g<2>", response.content.decode())
            cache.set(key, shared, seconds)
            response["X-Page-Cache"] = "miss"
        return response

    def _shared_page_request(self, request) -> bool:
        if request.method != "GET" or request.user.is_authenticated:
            return False
        cookies = request.COOKIES
        if any(name in cookies for name in (settings.SESSION_COOKIE_NAME, settings.OSCAR_BASKET_COOKIE_OPEN,
                                             "messages")):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in CACHEABLE_VIEWS

    @staticmethod
    def _shareable_response(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            # nothing personal was set while rendering (Oscar's history cookie
            # is not shown anywhere in Peken, see recently_viewed_products.html)
            and set(response.cookies) <= {settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME}
        )

    @staticmethod
    def _key(request) -> str:
        url = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        return f"peken:page:{get_language()}:{url}"
