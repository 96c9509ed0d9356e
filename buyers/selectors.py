"""Reads about shoppers: which kecamatan a shopper is in, which language they read."""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from oscar.core.loading import get_model

from buyers.models import BuyerProfile
from peken import city

UserAddress = get_model("address", "UserAddress")

_KECAMATAN_PREFIX = re.compile(r"^\s*(kec\.?|kecamatan)\s+", re.IGNORECASE)


def kecamatan_in_address(lines: list[str]) -> str | None:
    """The one city kecamatan an address names, as "Kec. Gubeng", "Kecamatan Gubeng" or "Gubeng".

    None when no line names one, or when lines name different ones: a guess
    would be worse than no preference.
    """
    by_lower = {name.lower(): name for name in city.kecamatan_names()}
    found = {by_lower.get(_KECAMATAN_PREFIX.sub("", line or "").strip().lower()) for line in lines}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def buyer_kecamatan(*, user: AbstractBaseUser) -> str | None:
    """The kecamatan a shopper lives in, at most two queries.

    Their profile's if they set one; otherwise the one their default shipping
    address names, if it names exactly one; otherwise None (anonymous too).
    """
    if not user.is_authenticated:
        return None
    chosen = BuyerProfile.objects.filter(user=user).values_list("kecamatan", flat=True).first()
    if chosen:
        return chosen
    address = (
        UserAddress.objects.filter(user=user, is_default_for_shipping=True)
        .values_list("line2", "line3", "line4")
        .first()
    )
    return kecamatan_in_address(list(address)) if address else None


def buyer_profile(*, user: AbstractBaseUser) -> BuyerProfile | None:
    return BuyerProfile.objects.filter(user=user).first()


def user_languages(*, user_ids: list[int]) -> dict[int, str]:
    """Each user's language for emails, one query: the one they picked, else the site's."""
    chosen = dict(
        BuyerProfile.objects.filter(user_id__in=user_ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )
    return {user_id: chosen.get(user_id, settings.LANGUAGE_CODE) for user_id in user_ids}
