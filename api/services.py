"""Writes of the API's own data: a user's tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope

KEY_PREFIX = "pkn_"


def api_key_hash(key: str) -> str:
    """The stored form of a key. A key is 32 random bytes, so a plain SHA-256 cannot be guessed back."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Make a named token for ``user`` with the given scopes; returns it and its key, shown only now.

    Rule: a name is required and unique among the user's active tokens, at least one known
    scope, at most PEKEN_API_TOKENS_PER_USER active tokens (ValidationError otherwise).
    The seller and procurement scopes give nothing by themselves: every endpoint still
    checks the person's shop or agency roles, exactly as the pages do.
    """
    name = (name or "").strip()
    scopes = sorted(set(scopes or []))
    if not name:
        raise ValidationError({"name": _("Beri nama token ini, misalnya nama aplikasi kasir Anda.")})
    if not scopes or not set(scopes) <= set(Scope.values):
        raise ValidationError({"scopes": _("Pilih sekurang-kurangnya satu cakupan yang dikenal.")})
    with transaction.atomic():
        # the user's row is the lock: two forms sent at once cannot both pass the count
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        if active.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("Anda sudah punya token aktif dengan nama ini.")})
        if active.count() >= settings.PEKEN_API_TOKENS_PER_USER:
            raise ValidationError(
                _("Paling banyak %(n)s token aktif. Cabut token yang tidak dipakai lagi dulu.")
                % {"n": settings.PEKEN_API_TOKENS_PER_USER}
            )
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[: len(KEY_PREFIX) + 6], key_hash=api_key_hash(key), scopes=scopes
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor) -> bool:
    """Revoke a token at once; only its owner may. Revoking twice does nothing the second time.

    Raises PermissionError when ``actor`` is not the owner.
    """
    if token.user_id != actor.pk:
        raise PermissionError("not the token's owner")
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def api_token_used(*, token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute, so a busy till does not write per call."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
