"""Anyone with an account can register a shop; it waits for verification; bad input is named."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from sellers import services
from sellers.abstract_models import SellerStatus, UmkmScale
from tests.factories import UserFactory, _tiny_jpeg

Partner = get_model("partner", "Partner")
SellerDecision = get_model("partner", "SellerDecision")

GOOD = {
    "name": "Kue Basah Bu Ningsih",
    "kind": "umkm",
    "owner_name": "Ningsih Rahayu",
    "ktp_number": "3578 0145 0289 0003",
    "nib": "9120301234567",
    "npwp": "01.234.567.4-614.000",
    "taxpayer_type": "individual",
    "is_pkp": "False",
    "has_pp55": "True",
    "pp55_number": "KET-00123/PP55/WPJ.11/2026",
    "annual_sales": "350.000.000",
    "bank_name": "Bank Jatim",
    "bank_account_number": "0011223344",
    "bank_account_holder": "Ningsih Rahayu",
    "phone": "+62 812-3456-7890",
    "street": "Jl. Kalibokor Selatan No. 12 RT 3 RW 5",
    "kecamatan": "Gubeng",
    "kelurahan": "Pucang Sewu",
    "postcode": "60283",
    "made_locally": "True",
    "low_income_household": "False",
    "is_cooperative": "False",
    "umkm_scale_basis": "penjualan",
}


def form_data(**changes):
    data = {**GOOD, "pp55_valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(), **changes}
    data.setdefault("photo", SimpleUploadedFile("toko.jpg", _tiny_jpeg(), content_type="image/jpeg"))
    return {key: value for key, value in data.items() if value is not None}


def test_a_shopper_registers_a_shop_that_waits_for_verification(shopper_client, shopper):
    # when a signed-in shopper sends a complete registration
    response = shopper_client.post(reverse("sellers:register"), form_data())

    # then a pending shop exists, owned by them, with its data cleaned and its scale derived
    assert response.status_code == 302, response.context["form"].errors
    seller = Partner.objects.get()
    assert seller.status == SellerStatus.PENDING
    assert list(seller.users.all()) == [shopper]
    assert (seller.ktp_number, seller.nib, seller.npwp, seller.phone) == (
        "3578014502890003",
        "9120301234567",
        "012345674614000",
        "081234567890",
    )
    assert seller.umkm_scale == UmkmScale.MICRO and seller.annual_sales == 350_000_000
    assert seller.has_pp55_certificate and seller.made_locally and seller.photo
    assert seller.addresses.get().line3 == "Kec. Gubeng"
    # and the registration is the first recorded decision, by the shopper
    decision = seller.decisions.get()
    assert (decision.actor, decision.old_status, decision.new_status) == (shopper, "", SellerStatus.PENDING)
    # and their page shows the shop waiting
    assert "Menunggu verifikasi" in shopper_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ktp_number", "357801450289000", "NIK harus 16 angka"),
        ("ktp_number", "3578 0132 0289 0003", "NIK ini tidak ada"),  # born on the 32nd
        ("ktp_number", "9978 0145 0289 0003", "NIK ini tidak ada"),  # no province 99
        ("ktp_number", "3578 0145 0289 0000", "NIK ini tidak ada"),  # serial 0000 is never issued
        ("npwp", "01.234.567.8-614.000", "NPWP ini tidak ada"),  # the 9th digit does not check
        ("npwp", "3578 0132 0289 0003", "NIK ini tidak ada"),  # a NIK as NPWP must be a real NIK
        ("nib", "91203O1234567", "NIB harus 13 angka"),
        ("npwp", "01.234.567.8-614", "NPWP harus 15 atau 16 angka"),
        ("phone", "12345", "Nomor HP harus diawali 08"),
        ("postcode", "10110", "Kode pos Surabaya diawali 60"),
        ("annual_sales", "sekitar 300 juta", "Tulis omzet dalam angka"),
        ("annual_sales", "60.000.000.000", "bukan lagi UMKM"),
        ("annual_sales", "2.5", "Tulis ribuan dengan titik"),  # it was read as Rp25
        ("kelurahan", "Genteng", "Kelurahan Genteng tidak ada di Kecamatan Gubeng"),
        ("pp55_number", "", "Isi nomor surat keterangan PP 55"),
        ("pp55_valid_until", "2020-01-31", "sudah tidak berlaku"),
        ("bank_account_number", "12-34", "Nomor rekening harus 6 sampai 20 angka"),
        ("owner_name", "", "Nama pemilik (sesuai KTP) wajib diisi"),
        (
            "photo",
            SimpleUploadedFile("toko.jpg", b"bukan gambar", content_type="image/jpeg"),
            "Foto toko harus berupa gambar",
        ),
    ],
)
def test_each_malformed_field_is_named_and_nothing_is_saved(shopper_client, field, value, message):
    # when a registration has one bad field
    response = shopper_client.post(reverse("sellers:register"), form_data(**{field: value}))
    # then the form comes back with that field's message in Indonesian, and no shop exists
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors.get(field, [])), (
        response.context["form"].errors
    )
    assert not Partner.objects.exists() and not SellerDecision.objects.exists()


@pytest.mark.parametrize(
    ("npwp", "stored", "mistyped"),
    [
        ("01.234.567.4-614.000", "012345674614000", "01.234.567.5-614.000"),  # the 15 digits of older cards
        ("0012345674614000", "0012345674614000", "0012345675614000"),  # the same in the 16-digit form
        ("3578 0145 0289 0003", "3578014502890003", "3578 0175 0289 0003"),  # an owner's NIK as NPWP
    ],
)
def test_each_form_of_npwp_in_use_is_accepted_and_a_mistyped_one_is_not(
    shopper_client, npwp, stored, mistyped
):
    # when an owner registers with one digit of their NPWP mistyped
    refused = shopper_client.post(reverse("sellers:register"), form_data(npwp=mistyped))
    # then the NPWP is refused
    assert refused.status_code == 200 and "npwp" in refused.context["form"].errors
    # when they send it as on their card
    response = shopper_client.post(reverse("sellers:register"), form_data(npwp=npwp))
    # then the shop keeps its digits
    assert response.status_code == 302, response.context["form"].errors
    assert Partner.objects.get().npwp == stored


def test_an_accepted_photo_is_kept_and_shown_until_the_form_is_valid(shopper_client, shopper):
    # given an owner whose first try has a valid photo but a wrong NIK
    first = shopper_client.post(reverse("sellers:register"), form_data(ktp_number="3578 0145 0289 000"))
    assert first.status_code == 200
    held = first.context["held_photo"]
    page = first.content.decode()
    assert held.token in page and held.url in page and "Foto ini sudah tersimpan" in page
    assert not first.context["form"].fields["photo"].required  # choosing it again is optional
    assert default_storage.exists(held.name)

    # when they correct the NIK and send again without choosing the photo again
    data = form_data(photo_held=held.token)
    del data["photo"]
    response = shopper_client.post(reverse("sellers:register"), data)

    # then the shop is registered with that photo, and the held copy is gone
    assert response.status_code == 302, response.context["form"].errors
    seller = Partner.objects.get()
    with seller.photo.open("rb") as photo:
        assert photo.read() == _tiny_jpeg()
    assert not default_storage.exists(held.name)


def test_a_held_photo_serves_only_the_account_that_uploaded_it(shopper_client, client):
    # given a photo held for one shopper's registration
    held = shopper_client.post(reverse("sellers:register"), form_data(ktp_number="1")).context["held_photo"]

    # when another account sends the token with its own registration
    client.force_login(UserFactory())
    data = form_data(photo_held=held.token)
    del data["photo"]
    response = client.post(reverse("sellers:register"), data)

    # then it still has to choose a photo
    assert "Foto toko wajib diisi." in response.context["form"].errors["photo"]
    assert not Partner.objects.exists()


def test_a_nib_can_register_only_one_shop(shopper_client):
    shopper_client.post(reverse("sellers:register"), form_data())
    response = shopper_client.post(reverse("sellers:register"), form_data(name="Toko Kedua"))
    assert "NIB ini sudah terdaftar" in str(response.context["form"].errors["nib"])
    assert Partner.objects.count() == 1


@pytest.mark.django_db
def test_registration_needs_an_account(client):
    response = client.get(reverse("sellers:register"))
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]


def test_status_moves_follow_the_table_and_are_recorded(shopper_client, shopper, admin_user):
    shopper_client.post(reverse("sellers:register"), form_data())
    seller = Partner.objects.get()
    # a pending shop cannot be suspended
    with pytest.raises(services.SellerStatusError, match="Menunggu verifikasi"):
        services.seller_status_change(seller=seller, actor=admin_user, status=SellerStatus.SUSPENDED)
    # it can be approved, and the decision says who and why
    services.seller_status_change(
        seller=seller, actor=admin_user, status=SellerStatus.ACTIVE, reason="Dokumen lengkap"
    )
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    latest = seller.decisions.first()
    assert (latest.actor, latest.old_status, latest.reason) == (
        admin_user,
        SellerStatus.PENDING,
        "Dokumen lengkap",
    )
