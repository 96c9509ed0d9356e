"""Limits per token and per address, read from the settings per request (so tests may change them)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Each token has its own budget of calls (PEKEN_API_RATE_TOKEN)."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.PEKEN_API_RATE_TOKEN

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AddressRateThrottle(SimpleRateThrottle):
    """Every caller's address has a budget too (PEKEN_API_RATE_ADDRESS), token or not."""

    scope = "address"

    def get_rate(self) -> str:
        return settings.PEKEN_API_RATE_ADDRESS

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
