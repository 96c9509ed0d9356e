"""The city's geography, from fixtures/surabaya.json: kecamatan and their kelurahan."""

import json
from functools import cache
from pathlib import Path

from django.conf import settings


@cache
def _city() -> dict:
    return json.loads((Path(settings.BASE_DIR) / "fixtures" / "surabaya.json").read_text(encoding="utf-8"))


def kecamatan_names() -> list[str]:
    """The city's kecamatan (31 for Surabaya), in the fixture's order."""
    return [k["name"] for k in _city()["kecamatan"]]


def kelurahan_names(kecamatan: str) -> list[str]:
    """The kelurahan of one kecamatan; empty for a name that is not a kecamatan."""
    return next((k["kelurahan"] for k in _city()["kecamatan"] if k["name"] == kecamatan), [])


def kecamatan_postcode(kecamatan: str) -> str:
    return next((k.get("postcode", "") for k in _city()["kecamatan"] if k["name"] == kecamatan), "")


def city_name() -> str:
    return _city()["city"]


def country():
    """Oscar's Country row for Indonesia, which every address in the city needs."""
    from oscar.core.loading import get_model

    country, _created = get_model("address", "Country").objects.get_or_create(
        iso_3166_1_a2="ID",
        defaults={"iso_3166_1_a3": "IDN", "iso_3166_1_numeric": "360", "printable_name": "Indonesia",
                  "name": "Republik Indonesia", "is_shipping_country": True},
    )
    return country
