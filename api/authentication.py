"""Who is calling: a personal token (other systems) or the site's own session."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiToken
from api.services import KEY_PREFIX, api_key_hash, api_token_used


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pkn_…``. A revoked token, or one of an inactive user, is refused."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in ("bearer", "token"):
            return None
        if len(header) != 2 or not header[1].startswith(KEY_PREFIX):
            raise exceptions.AuthenticationFailed(
                _("Token tidak dikenal. Kirim: Authorization: Bearer <token>.")
            )
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=api_key_hash(header[1]), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Token tidak dikenal atau sudah dicabut."))
        api_token_used(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
