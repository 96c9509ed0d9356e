"""Writes about shoppers: their kecamatan and the language they read."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from buyers.models import BuyerProfile, BuyerProfileChange
from peken import city


class BuyerProfileError(Exception):
    """A profile change that may not be made (a kecamatan not in the city)."""


def buyer_kecamatan_set(
    *, user: AbstractBaseUser, kecamatan: str, actor: AbstractBaseUser | None
) -> BuyerProfile:
    """Set the kecamatan ``user`` lives in ("" forgets it) and record who changed it.

    The kecamatan must be one of the city's (fixtures/surabaya.json). Setting
    the same value again changes and records nothing. Raises BuyerProfileError.
    """
    kecamatan = kecamatan.strip()
    if kecamatan and kecamatan not in city.kecamatan_names():
        raise BuyerProfileError(_("%(name)s bukan kecamatan di %(city)s.")
                                % {"name": kecamatan, "city": city.city_name()})
    with transaction.atomic():
        profile, _created = BuyerProfile.objects.select_for_update().get_or_create(user=user)
        if profile.kecamatan != kecamatan:
            BuyerProfileChange.objects.create(profile=profile, actor=actor, old_kecamatan=profile.kecamatan,
                                              new_kecamatan=kecamatan)
            profile.kecamatan = kecamatan
            profile.save(update_fields=["kecamatan", "date_updated"])
    return profile


def buyer_language_set(*, user: AbstractBaseUser, language: str) -> BuyerProfile:
    """Remember the language ``user`` picked, so emails to them go out in it.

    A preference, not a record: the last choice wins and nothing is kept of
    earlier ones. Raises BuyerProfileError for a language the site does not offer.
    """
    if language not in dict(settings.LANGUAGES):
        raise BuyerProfileError(_("Bahasa %(code)s tidak tersedia.") % {"code": language})
    profile, _created = BuyerProfile.objects.get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language", "date_updated"])
    return profile
