"""Language choice: Indonesian unless the visitor picked English with the switcher."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
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
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
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
