"""A shopper's kecamatan: set on their profile, else read from their default shipping address."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from buyers import selectors
from buyers.models import BuyerProfile, BuyerProfileChange

UserAddress = get_model("address", "UserAddress")

pytestmark = pytest.mark.django_db


def test_a_shopper_sets_their_kecamatan_and_the_change_is_recorded(shopper_client, shopper):
    # given a signed-in shopper on their profile
    profile_page = shopper_client.get(reverse("customer:profile-view")).content.decode()
    assert "Belum dipilih" in profile_page and reverse("buyers:kecamatan") in profile_page

    # when they choose Gubeng
    response = shopper_client.post(reverse("buyers:kecamatan"), {"kecamatan": "Gubeng"}, follow=True)

    # then it is saved, recorded with who did it, and shown on the profile
    assert "Kecamatan Anda tersimpan." in response.content.decode()
    assert BuyerProfile.objects.get(user=shopper).kecamatan == "Gubeng"
    change = BuyerProfileChange.objects.get()
    assert (change.actor, change.old_kecamatan, change.new_kecamatan) == (shopper, "", "Gubeng")
    assert "Gubeng" in shopper_client.get(reverse("customer:profile-view")).content.decode()
    assert selectors.buyer_kecamatan(user=shopper) == "Gubeng"


def test_a_kecamatan_not_in_the_city_is_refused_in_indonesian(shopper_client, shopper):
    response = shopper_client.post(reverse("buyers:kecamatan"), {"kecamatan": "Kebayoran Baru"})
    assert response.status_code == 200
    assert "Pilih kecamatan dari daftar." in response.content.decode()
    assert not BuyerProfile.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("buyers:kecamatan"))
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("Kel. Pucang Sewu", "Kec. Gubeng", "Surabaya"), "Gubeng"),
        (("", "Kecamatan tenggilis mejoyo", "Surabaya"), "Tenggilis Mejoyo"),
        (("", "Jl. Raya", "Surabaya"), None),
        (("Kec. Gubeng", "Kec. Tandes", "Surabaya"), None),  # two names: no guess
    ],
)
def test_without_a_profile_the_default_shipping_address_is_read(shopper, indonesia, lines, expected):
    UserAddress.objects.create(
        user=shopper,
        first_name="Siti",
        line1="Jl. Kalibokor 12",
        line2=lines[0],
        line3=lines[1],
        line4=lines[2],
        country=indonesia,
        is_default_for_shipping=True,
    )
    assert selectors.buyer_kecamatan(user=shopper) == expected


def test_the_profile_wins_over_the_address(shopper, indonesia):
    from buyers.services import buyer_kecamatan_set

    UserAddress.objects.create(
        user=shopper,
        first_name="Siti",
        line1="Jl. Kalibokor 12",
        line3="Kec. Gubeng",
        line4="Surabaya",
        country=indonesia,
        is_default_for_shipping=True,
    )
    buyer_kecamatan_set(user=shopper, kecamatan="Rungkut", actor=shopper)
    assert selectors.buyer_kecamatan(user=shopper) == "Rungkut"


def test_the_demo_shopper_has_a_kecamatan(settings):
    from django.contrib.auth import get_user_model

    from peken import demo

    settings.PEKEN_DEMO_DATA_ALLOWED = True
    demo.demo_load()
    shopper = get_user_model().objects.get(email=demo.SHOPPER["email"])
    assert BuyerProfile.objects.get(user=shopper).kecamatan == "Gubeng"
