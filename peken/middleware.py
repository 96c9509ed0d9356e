"""Language choice (Indonesian unless the visitor picked English) and refusal of NUL bytes in requests."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import BadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Django's LocaleMiddleware reads the browser's Accept-Language; this one does not.

    A city service speaks the city's language by default; a phone set to
    English should not turn the shop English until its user asks for it
    (Django's set_language view stores the choice in the language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith("/api/") and not chosen:
            # another system has no cookie: it asks for its language the standard way
            chosen = translation.get_language_from_request(request)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(
            response, ("Cookie", "Accept-Language") if request.path_info.startswith("/api/") else ("Cookie",)
        )
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header, with the card-payment origins read from the settings of this request.

    The policy itself is CONTENT_SECURITY_POLICY (settings/base.py). Stripe.js
    is loaded from STRIPE_JS_URL (localstripe's own origin in development and
    the tests, js.stripe.com in production), which frames and calls its API,
    so those origins are added here rather than frozen into the settings: the
    tests start localstripe on a free port and point the settings at it.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = {**stripe_sources(), **(parts.update or {})}
        return parts


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def stripe_sources() -> dict[str, list[str]]:
    """The CSP sources Stripe.js needs: its script, its frames (3-D Secure) and its API calls."""
    js = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE) or STRIPE_API_ORIGIN
    frames = [js, STRIPE_HOOKS_ORIGIN] if js == STRIPE_JS_ORIGIN else [js]
    return {"script-src": [js], "frame-src": frames, "connect-src": list(dict.fromkeys([api, js]))}


STRIPE_JS_ORIGIN = "https://js.stripe.com"
STRIPE_API_ORIGIN = "https://api.stripe.com"
STRIPE_HOOKS_ORIGIN = "https://hooks.stripe.com"


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NulByteMiddleware:
    """A request with a NUL byte in its path, query string or form fields gets the 400 page.

    No person types a NUL, and PostgreSQL refuses one in any text it is
    asked to store or compare, which would surface as a server error on
    whichever page read the value first (a search, a filter, a form).
    Uploaded files are not read here; the CSV reader refuses NUL itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _has_nul(request.GET):
            raise BadRequest("NUL byte in the address")
        if request.method == "POST" and request.content_type in FORM_TYPES and _has_nul(request.POST):
            raise BadRequest("NUL byte in a form field")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
