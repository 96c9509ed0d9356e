"""The city's geography, from fixtures/surabaya.json: kecamatan and their kelurahan."""

import json
from functools import cache
from math import asin, cos, radians, sin, sqrt
from pathlib import Path

from django.conf import settings
from oscar.core.loading import get_model


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
    country, _created = get_model("address", "Country").objects.get_or_create(
        iso_3166_1_a2="ID",
        defaults={
            "iso_3166_1_a3": "IDN",
            "iso_3166_1_numeric": "360",
            "printable_name": "Indonesia",
            "name": "Republik Indonesia",
            "is_shipping_country": True,
        },
    )
    return country


def kecamatan_distance_km(a: str, b: str) -> float | None:
    """Straight-line distance between two kecamatan centres; None if either is not in the city."""
    centres = {k["name"]: (k["lat"], k["lon"]) for k in _city()["kecamatan"]}
    if a not in centres or b not in centres:
        return None
    (lat1, lon1), (lat2, lon2) = (map(radians, centres[a]), map(radians, centres[b]))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def kecamatan_of_address(address) -> str:
    """The kecamatan an Oscar address names in line3 ("Kec. Gubeng"), or "" if none of the city's."""
    name = (getattr(address, "line3", "") or "").strip().removeprefix("Kec.").strip()
    return name if name in kecamatan_names() else ""
