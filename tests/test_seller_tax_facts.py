"""A shop's tax facts: registration and the seller centre's tax page accept what is right,
refuse what is not with a message naming it, and every change is recorded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from sellers import services
from sellers.abstract_models import ScaleBasis, StaffTool, TaxpayerType
from sellers.identity import nitku_clean
from tests.factories import DEFAULT_PASSWORD, seller_create
from tests.test_seller_registration import form_data

Partner = get_model("partner", "Partner")
SellerDataChange = get_model("partner", "SellerDataChange")

NPWP15 = "012345674614000"  # the registration's NPWP (test_seller_registration.GOOD), 15 digits
NITKU = "0" + NPWP15 + "000000"
NIK = "3578014502890003"  # the owner's NIK there
THIS_YEAR = timezone.localdate().year


def register(client, **changes):
    return client.post(reverse("sellers:register"), form_data(**changes))


def errors_of(response, field) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


# --- registration ---


def test_a_registration_stores_every_tax_fact(shopper_client):
    # when an individual PKP caterer registers with a NITKU, PP 55, this year's statement and PBJT
    response = register(
        shopper_client,
        is_pkp="True",
        nitku="0012.3456.7461.4000-000000",
        omzet_statement="on",
        pbjt_number="973/PBJT/436.7.5/2026",
        pbjt_rate_percent="10",
        umkm_scale_basis="modal",
    )
    # then the shop holds them as the tax engine reads them
    assert response.status_code == 302, response.context["form"].errors
    shop = Partner.objects.get()
    assert shop.taxpayer_type == TaxpayerType.INDIVIDUAL and shop.is_pkp
    assert shop.nitku == NITKU
    assert shop.pp55_number == "KET-00123/PP55/WPJ.11/2026" and shop.pp55_valid_until > timezone.localdate()
    assert shop.omzet_statement_year == THIS_YEAR
    assert (shop.pbjt_number, shop.pbjt_rate_percent) == ("973/PBJT/436.7.5/2026", Decimal(10))
    assert not shop.is_cooperative and shop.umkm_scale_basis == ScaleBasis.CAPITAL


def test_the_statement_label_names_this_year_and_the_form_has_a_tax_fieldset(shopper_client):
    body = shopper_client.get(reverse("sellers:register")).content.decode()
    assert f"Saya menyatakan omzet tahun {THIS_YEAR} paling banyak Rp500 juta" in body
    assert 'id="pajak"' in body and "NITKU" in body and "PBJT" in body


def test_an_unticked_statement_and_no_pp55_store_nothing(shopper_client):
    response = register(shopper_client, has_pp55="False", pp55_number="", pp55_valid_until="")
    assert response.status_code == 302, response.context["form"].errors
    shop = Partner.objects.get()
    assert shop.omzet_statement_year is None and shop.pp55_number == "" and shop.pp55_valid_until is None
    assert shop.pbjt_number == "" and shop.nitku == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"is_pkp": "True"}, "nitku", "NITKU wajib diisi untuk PKP"),
        ({"nitku": "0012345674614000"}, "nitku", "NITKU harus 22 angka"),
        ({"nitku": "00123456746140000000AB"}, "nitku", "NITKU harus 22 angka"),
        ({"nitku": "0012345675614000000000"}, "nitku", "bukan NPWP atau NIK yang sah"),
        # a valid NPWP, but another shop's
        ({"nitku": "0130000003614000000000"}, "nitku", "harus sama dengan NPWP toko"),
        ({"pp55_valid_until": ""}, "pp55_valid_until", "Isi masa berlaku"),
        ({"pp55_number": ""}, "pp55_number", "Isi nomor surat keterangan PP 55"),
        ({"pp55_valid_until": "2020-01-31"}, "pp55_valid_until", "sudah tidak berlaku sejak 31 Januari 2020"),
        ({"annual_sales": "5.000.000.000"}, "has_pp55", "paling banyak Rp4,8 miliar"),
        (
            {"omzet_statement": "on", "annual_sales": "600.000.000"},
            "omzet_statement",
            "lebih dari Rp500 juta",
        ),
        (
            {"omzet_statement": "on", "taxpayer_type": "company"},
            "omzet_statement",
            "hanya untuk wajib pajak orang pribadi",
        ),
        ({"pbjt_number": "PBJT-1", "pbjt_rate_percent": "12"}, "pbjt_rate_percent", "paling tinggi 10%"),
        ({"pbjt_number": "PBJT-1", "pbjt_rate_percent": "-1"}, "pbjt_rate_percent", "tidak boleh negatif"),
        ({"pbjt_number": "PBJT-1", "pbjt_rate_percent": "sepuluh"}, "pbjt_rate_percent", "dalam angka"),
        ({"pbjt_number": "PBJT-1", "pbjt_rate_percent": ""}, "pbjt_rate_percent", "Isi tarif PBJT"),
        ({"is_cooperative": "True"}, "taxpayer_type", "Koperasi adalah badan usaha"),
        ({"taxpayer_type": "negara"}, "taxpayer_type", "Pilih orang pribadi atau badan usaha"),
    ],
)
def test_each_wrong_tax_fact_is_named_and_nothing_is_saved(shopper_client, changes, field, message):
    response = register(shopper_client, **changes)
    assert response.status_code == 200
    assert message in errors_of(response, field), response.context["form"].errors
    assert not Partner.objects.exists()


def test_an_individuals_nitku_may_start_with_the_owners_nik_but_a_companys_may_not(shopper_client):
    # given an individual whose NITKU is their NIK and 000000, then it is accepted
    response = register(shopper_client, is_pkp="True", nitku=NIK + "000000")
    assert response.status_code == 302, response.context["form"].errors
    Partner.objects.all().delete()
    # and a company's NITKU must be its own NPWP
    response = register(
        shopper_client, taxpayer_type="company", is_cooperative="True", is_pkp="True", nitku=NIK + "000000"
    )
    assert "harus sama dengan NPWP toko (0012345674614000)" in errors_of(response, "nitku")


def test_a_cooperative_registers_as_a_company(shopper_client):
    response = register(shopper_client, taxpayer_type="company", is_cooperative="True")
    assert response.status_code == 302, response.context["form"].errors
    shop = Partner.objects.get()
    assert shop.is_cooperative and shop.taxpayer_type == TaxpayerType.COMPANY


def test_nitku_clean_takes_separators_and_checks_the_npwp_inside():
    assert nitku_clean("0012 3456 7461 4000 000001") == "0012345674614000000001"
    with pytest.raises(Exception, match="22 angka"):
        nitku_clean("12345")


# --- the seller centre's tax page ---


@pytest.fixture
def shop(db):
    shop = seller_create(name="Katering Bu Sri", email="sri@contoh.id")
    shop.npwp, shop.ktp_number = NPWP15, NIK
    shop.save(update_fields=["npwp", "ktp_number"])
    return shop


@pytest.fixture
def owner_client(shop):
    client = Client()
    client.login(username="sri@contoh.id", password=DEFAULT_PASSWORD)
    client.user = shop.users.get()
    return client


def tax_form(**changes):
    data = {
        "taxpayer_type": "individual",
        "is_pkp": "False",
        "nitku": "",
        "has_pp55": "False",
        "pp55_number": "",
        "pp55_valid_until": "",
        "pbjt_number": "",
        "pbjt_rate_percent": "10",
        "is_cooperative": "False",
        "umkm_scale_basis": "penjualan",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def test_the_owner_declares_pbjt_pp55_and_the_statement_and_the_change_is_recorded(owner_client, shop):
    # when the owner saves their caterer's tax facts
    valid_until = timezone.localdate() + timedelta(days=400)
    response = owner_client.post(
        reverse("sellers:centre-tax"),
        tax_form(
            has_pp55="True",
            pp55_number="KET-77/PP55/2026",
            pp55_valid_until=valid_until.isoformat(),
            omzet_statement="on",
            pbjt_number="PBJT-SBY-0042",
            pbjt_rate_percent="10",
        ),
    )
    # then the shop holds them
    assert response.status_code == 302, response.context["form"].errors
    shop.refresh_from_db()
    assert (shop.pp55_number, shop.pp55_valid_until) == ("KET-77/PP55/2026", valid_until)
    assert shop.omzet_statement_year == THIS_YEAR and shop.pbjt_number == "PBJT-SBY-0042"
    # and the change is recorded: who, from the seller centre, each field before and after
    change = SellerDataChange.objects.get(seller=shop)
    assert change.actor == owner_client.user and change.source == StaffTool.CENTRE
    assert change.changes["omzet_statement_year"] == {"before": "None", "after": str(THIS_YEAR)}
    assert change.changes["pbjt_number"] == {"before": "", "after": "PBJT-SBY-0042"}
    assert set(change.changes) == {"pp55_number", "pp55_valid_until", "omzet_statement_year", "pbjt_number"}
    # and the page shows the form again with the statement ticked and the change listed
    page = owner_client.get(reverse("sellers:centre-tax"))
    assert page.context["form"]["omzet_statement"].value() is True
    assert "Pusat penjual (oleh penjual)" in page.content.decode()


def test_saving_without_a_change_records_nothing(owner_client, shop):
    response = owner_client.post(reverse("sellers:centre-tax"), tax_form(), follow=True)
    assert "Tidak ada perubahan" in response.content.decode()
    assert not SellerDataChange.objects.exists()


def test_last_years_statement_is_not_this_years_and_ticking_again_moves_it(owner_client, shop):
    # given a statement given last year
    shop.omzet_statement_year = THIS_YEAR - 1
    shop.save(update_fields=["omzet_statement_year"])
    # then the page says so and leaves this year's box unticked
    response = owner_client.get(reverse("sellers:centre-tax"))
    assert response.context["form"].initial["omzet_statement"] is False
    assert f"Pernyataan terakhir Anda untuk tahun {THIS_YEAR - 1}" in response.content.decode()
    # when saved unticked, last year's stays as the record it is
    owner_client.post(reverse("sellers:centre-tax"), tax_form())
    shop.refresh_from_db()
    assert shop.omzet_statement_year == THIS_YEAR - 1
    # when ticked, this year is stored; unticked again, this year's statement is withdrawn
    owner_client.post(reverse("sellers:centre-tax"), tax_form(omzet_statement="on"))
    shop.refresh_from_db()
    assert shop.omzet_statement_year == THIS_YEAR
    owner_client.post(reverse("sellers:centre-tax"), tax_form())
    shop.refresh_from_db()
    assert shop.omzet_statement_year is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"is_pkp": "True"}, "nitku", "NITKU wajib diisi untuk PKP"),
        ({"is_pkp": "True", "nitku": "0130000003614000000000"}, "nitku", "harus sama dengan NPWP toko"),
        ({"has_pp55": "True", "pp55_number": "KET-1"}, "pp55_valid_until", "Isi masa berlaku"),
        (
            {"has_pp55": "True", "pp55_valid_until": (timezone.localdate() + timedelta(days=30)).isoformat()},
            "pp55_number",
            "Isi nomor surat keterangan PP 55",
        ),
        (
            {"has_pp55": "True", "pp55_number": "KET-1", "pp55_valid_until": "2024-12-31"},
            "pp55_valid_until",
            "sudah tidak berlaku sejak 31 Desember 2024",
        ),
        ({"pbjt_number": "PBJT-1", "pbjt_rate_percent": "10.5"}, "pbjt_rate_percent", "paling tinggi 10%"),
        ({"omzet_statement": "on", "taxpayer_type": "company"}, "omzet_statement", "orang pribadi"),
    ],
)
def test_the_tax_page_refuses_what_registration_refuses(owner_client, shop, changes, field, message):
    response = owner_client.post(reverse("sellers:centre-tax"), tax_form(**changes))
    assert response.status_code == 200
    assert message in errors_of(response, field), response.context["form"].errors
    assert not SellerDataChange.objects.exists()


def test_the_owner_pkp_with_a_nitku_of_its_npwp_is_accepted(owner_client, shop):
    response = owner_client.post(reverse("sellers:centre-tax"), tax_form(is_pkp="True", nitku=NITKU))
    assert response.status_code == 302, response.context["form"].errors
    shop.refresh_from_db()
    assert shop.is_pkp and shop.nitku == NITKU


# --- staff edits and the verifier's view ---


def test_a_staff_edit_of_tax_facts_is_recorded_with_before_and_after(shop, admin_user):
    # when a member of staff edits the shop's tax facts through the service the admin uses
    shop.nitku, shop.is_cooperative, shop.pbjt_rate_percent = NITKU, True, Decimal("5.0")
    record = services.seller_details_save(
        seller=shop,
        actor=admin_user,
        changed=["nitku", "is_cooperative", "pbjt_rate_percent"],
        source="admin",
    )
    # then each changed field is kept before and after, by whom
    assert record.actor == admin_user and record.source == StaffTool.ADMIN
    assert record.changes == {
        "nitku": {"before": "", "after": NITKU},
        "is_cooperative": {"before": "False", "after": "True"},
        "pbjt_rate_percent": {"before": "10.0", "after": "5.0"},
    }


def test_the_admin_records_a_change_of_the_new_fields(shop, admin_user):
    # given the shop's admin change form as Django's admin builds it
    model_admin = admin_site._registry[Partner]
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, shop, change=True)
    initial = model_admin.get_changeform_initial_data(request)
    data = {
        name: value
        for name, value in {**form_class(instance=shop, initial=initial).initial}.items()
        if value is not None and not isinstance(value, list)
    }
    data.update({"omzet_statement_year": str(THIS_YEAR), "pbjt_number": "PBJT-9", "users": []})
    form = form_class(data, instance=shop)
    assert form.is_valid(), form.errors
    # when the admin saves it
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    # then the change is recorded
    record = SellerDataChange.objects.get(seller=shop)
    assert record.source == StaffTool.ADMIN
    assert {"omzet_statement_year", "pbjt_number"} <= set(record.changes)


def test_the_verifier_sees_a_change_the_shop_made_itself(verifier_client, owner_client, shop):
    owner_client.post(reverse("sellers:centre-tax"), tax_form(pbjt_number="PBJT-SBY-0042"))
    body = verifier_client.get(reverse("sellers:verification-decide", args=[shop.pk])).content.decode()
    assert "Pusat penjual (oleh penjual)" in body and "sri@contoh.id" in body
    assert "pbjt_number" in body and "PBJT-SBY-0042" in body


def test_the_verifier_sees_the_tax_facts(verifier_client, shop):
    shop.taxpayer_type, shop.is_cooperative, shop.nitku = TaxpayerType.COMPANY, True, NITKU
    shop.pbjt_number, shop.omzet_statement_year = "PBJT-SBY-0042", THIS_YEAR
    shop.save()
    body = verifier_client.get(reverse("sellers:verification-decide", args=[shop.pk])).content.decode()
    for shown in ("Badan usaha", "Koperasi", NITKU, "PBJT-SBY-0042", f"untuk tahun {THIS_YEAR}"):
        assert shown in body, shown
