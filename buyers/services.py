"""Writes about shoppers: their kecamatan."""

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
