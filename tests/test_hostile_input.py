"""Hostile values in every form and upload: each is a form error in Indonesian (or the 400 page), never a 500.

Numbers too large for their column, 200 kB texts, NUL bytes, dates in the year 9999, a
delegation of ten years, and a checkout address id that is not the shopper's: each is
answered with a message, and nothing is stored.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from peken import limits
from procurement.models import BudgetLine, Delegation, Requisition
from procurement.services import approval_policy_default
from procurement.statuses import Role
from sellers.abstract_models import SellerStatus, StockUpdateSource
from tests.checkout_flow import basket_add
from tests.factories import (
    DEFAULT_PASSWORD,
    PartnerFactory,
    UserFactory,
    _tiny_jpeg,
    category_create,
    product_create,
    seller_create,
)
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles
from tests.test_seller_registration import form_data

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")
UserAddress = get_model("address", "UserAddress")

HUGE = str(10**30)
INT_OVER = str(2**31)
LONG = "x" * 200_000  # longer than Python's csv field limit (128 kB) and any text a person means
NUL = "Beras\x00Pandan"
YEAR = timezone.localdate().year


def signed_in(email: str) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=email, password=DEFAULT_PASSWORD)
    return client


def errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- the seller centre's product form


@pytest.fixture
def seller(db):
    shop = seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    return shop, signed_in("tini@contoh.id")


def product_form(leaf, **overrides):
    picture = SimpleUploadedFile("beras.jpg", _tiny_jpeg(), content_type="image/jpeg")
    data = {
        "title": "Beras Pandan Wangi 5 kg",
        "description": "Beras pulen panen Jombang.",
        "category": leaf.pk,
        "images": [picture],
        "price": "72.500",
        "stock": "40",
        "unit": "pcs",
        "min_order_quantity": "1",
        "halal_certificate_number": "",
        "made_locally": "on",
    }
    return data | overrides


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("price", HUGE, "paling banyak 20 karakter"),
        ("price", "9" * 20, "Harga terlalu besar"),
        ("price", INT_OVER, "Harga terlalu besar"),
        ("stock", HUGE, "Stok terlalu besar"),
        ("stock", INT_OVER, "Stok terlalu besar"),
        ("min_order_quantity", HUGE, "Minimal pembelian terlalu besar"),
        ("min_order_quantity", INT_OVER, "Minimal pembelian terlalu besar"),
        ("description", LONG, "paling banyak"),
    ],
)
def test_a_hostile_product_value_is_a_form_error_and_nothing_is_saved(seller, field, value, message):
    # given a seller and a leaf category
    _shop, client = seller
    leaf = category_create("Beras", parent=category_create("Sembako"))
    # when a product is submitted with the value
    response = client.post(reverse("sellers:centre-product-create"), product_form(leaf, **{field: value}))
    # then the form says why, in Indonesian, and no product exists
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Product.objects.exists()


def test_a_nul_byte_in_a_form_field_gets_the_400_page_and_nothing_is_saved(seller):
    # given a seller, when a product title carries a NUL byte
    _shop, client = seller
    leaf = category_create("Beras", parent=category_create("Sembako"))
    response = client.post(reverse("sellers:centre-product-create"), product_form(leaf, title=NUL))
    # then the request is refused as malformed, with the site's 400 page, and nothing is stored
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()
    assert not Product.objects.exists()


# --- the stock CSV


def stock_upload(client, content: str):
    return client.post(
        reverse("sellers:centre-stock-upload"),
        {"file": SimpleUploadedFile("stok.csv", content.encode("utf-8"), content_type="text/csv")},
    )


@pytest.mark.parametrize(
    "row, message",
    [
        ("{sku};Gula;" + HUGE + ";5", "Harga terlalu besar"),
        ("{sku};Gula;" + INT_OVER + ";5", "Harga terlalu besar"),
        ("{sku};Gula;15000;" + HUGE, "Stok terlalu besar"),
        ("{sku};Gula;15000;" + INT_OVER, "Stok terlalu besar"),
        ("{sku};Gula;15000;" + "9" * 5000, "Stok terlalu besar"),
        ("{sku};Gula;" + "9" * 100_000 + "x;5", "…"),
        ("{sku};" + LONG + ";15000;5", "terlalu panjang"),
        ('{sku};"' + LONG + '";15000;5', "terlalu panjang"),
        ("{sku};Gula\x00Aren;15000;5", "karakter NUL"),
        ("x" * 300 + ";Gula;15000;5", "SKU terlalu panjang"),
    ],
)
def test_a_hostile_stock_csv_row_is_reported_on_its_line_and_nothing_is_applied(seller, row, message):
    # given a shop with one product at Rp15.000 and 10 in stock
    shop, client = seller
    record = product_create(title="Gula Pasir 1 kg", partner=shop, price=15000, stock=10).stockrecords.get()
    # when a file whose second line carries the hostile value is uploaded
    response = stock_upload(client, f"sku;judul;harga;stok\n{row.format(sku=record.partner_sku)}\n")
    # then the page lists line 2 with the reason, and the stock record is as it was
    assert response.status_code == 200
    errors = dict(response.context["csv_errors"])
    assert message in errors[2], errors
    record.refresh_from_db()
    assert (record.price, record.num_in_stock) == (Decimal("15000"), 10)
    assert not StockUpdate.objects.filter(source=StockUpdateSource.CSV).exists()


# --- the agency admin's budget: the CSV import and a line's page


@pytest.fixture
def agency_admin(db):
    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes")
    person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")
    return agency, signed_in("admin.dinkes@contoh.id")


S = "1.02.02.2.02.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil"


@pytest.mark.parametrize(
    "row, message",
    [
        (f"{S};5.1.02.01.01.0052;Belanja Makanan;DAU;{HUGE}", "Pagu terlalu besar"),
        (f"{S};5.1.02.01.01.0052;Belanja Makanan;DAU;{10**30:,}".replace(",", "."), "Pagu terlalu besar"),
        (f"{S};5.1.02.01.01.0052;{LONG};DAU;15.000.000", "terlalu panjang"),
        (f"{S};5.1.02.01.01.0052;Belanja\x00Makanan;DAU;15.000.000", "karakter NUL"),
    ],
)
def test_a_hostile_budget_csv_row_is_reported_on_its_line_and_nothing_is_created(agency_admin, row, message):
    # given an agency admin on the import page
    agency, client = agency_admin
    content = (
        "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu\r\n" + row + "\r\n"
    ).encode("utf-8")
    # when a file whose second line carries the hostile value is uploaded
    response = client.post(
        f"/pengadaan/opd/{agency.code}/anggaran/impor/",
        {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa.csv", content)},
    )
    # then the page names line 2 and why, and no budget line exists
    assert response.status_code == 200
    page = response.content.decode()
    assert "Baris 2" in page and message in page
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("ceiling", [HUGE, f"{10**30:,}".replace(",", "."), str(10**15), "9" * 5000])
def test_a_ceiling_too_large_for_its_column_is_a_form_error_and_the_line_is_unchanged(agency_admin, ceiling):
    # given a budget line of Rp10 juta
    agency, client = agency_admin
    line = BudgetLineFactory(agency=agency, ceiling=Decimal("10000000"), fiscal_year=YEAR)
    # when its page is sent with a pagu of 10^30 (or 10^15, one digit past the column)
    response = client.post(
        f"/pengadaan/opd/{agency.code}/anggaran/{line.pk}/ubah/",
        {"description": line.description, "funding_source": "DAU", "ceiling": ceiling},
    )
    # then the form says it is too large, and the line keeps its pagu
    assert response.status_code == 200
    assert "terlalu besar" in errors_of(response)
    line.refresh_from_db()
    assert line.ceiling == Decimal("10000000")


# --- official buying: the requisition and a delegation


@pytest.fixture
def office(db):
    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes", address="Jl. Jemursari No. 197, Surabaya")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin@dinkes.go.id")
    approval_policy_default(agency=agency, actor=admin)
    person_with_roles(agency=agency, roles=[Role.REQUESTER], email="rina@dinkes.go.id")
    pp = person_with_roles(agency=agency, roles=[Role.PROCUREMENT_OFFICIAL], email="budi@dinkes.go.id")
    colleague = person_with_roles(agency=agency, roles=[Role.TREASURER], email="dedi@dinkes.go.id")
    line = BudgetLineFactory(agency=agency, ceiling=Decimal("100000000"))
    return {"agency": agency, "line": line, "pp": pp, "colleague": colleague}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("needed_by", "9999-12-31", "terlalu jauh"),
        ("purpose", LONG, "paling banyak"),
        ("delivery_address", LONG, "paling banyak"),
    ],
)
def test_a_hostile_requisition_value_is_a_form_error_and_nothing_is_submitted(office, field, value, message):
    # given a requester in official mode with a basket
    client = signed_in("rina@dinkes.go.id")
    client.post(reverse("procurement:mode"), {"agency": office["agency"].pk, "next": "/"})
    basket_add(client, product_create(title="Nasi Kotak Ayam Bakar", price=Decimal("25000")), 10)
    data = {
        "budget_line": office["line"].pk,
        "kode_rup": "",
        "purpose": "Konsumsi rapat koordinasi",
        "delivery_address": office["agency"].address,
        "contact_name": "Rina Wulandari",
        "contact_phone": "0812-3456-7890",
        "needed_by": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    # when it is submitted with the hostile value
    response = client.post(reverse("procurement:submit"), data | {field: value})
    # then the form says why and no requisition exists
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Requisition.objects.exists()


@pytest.mark.parametrize(
    "start, end, message",
    [
        (0, 365 * 10, "paling lama 90 hari"),
        (0, 90, "paling lama 90 hari"),
        (400, 405, "dalam setahun"),
    ],
)
def test_a_delegation_too_long_or_too_far_ahead_is_a_form_error(office, start, end, message):
    # given the Pejabat Pengadaan on the delegation page
    client = signed_in("budi@dinkes.go.id")
    today = timezone.localdate()
    # when they delegate from today+start to today+end (ten years, 91 days, or starting next year)
    response = client.post(
        reverse("procurement:delegations"),
        {
            "delegate": office["colleague"].pk,
            "role": Role.PROCUREMENT_OFFICIAL,
            "start": (today + timedelta(days=start)).isoformat(),
            "end": (today + timedelta(days=end)).isoformat(),
        },
    )
    # then the page says the limit and no delegation exists
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["end"])
    assert not Delegation.objects.exists()


def test_a_delegation_of_the_maximum_length_is_saved_and_one_day_more_is_not(office):
    # given the PP on the delegation page
    client = signed_in("budi@dinkes.go.id")
    today = timezone.localdate()

    def delegate(days: int):
        return client.post(
            reverse("procurement:delegations"),
            {
                "delegate": office["colleague"].pk,
                "role": Role.PROCUREMENT_OFFICIAL,
                "start": today.isoformat(),
                "end": (today + timedelta(days=days - 1)).isoformat(),
            },
        )

    # when they delegate for 91 days counting both ends, then it is refused
    assert delegate(91).status_code == 200 and not Delegation.objects.exists()
    # when they delegate for 90, then it is saved
    assert delegate(90).status_code == 302
    assert Delegation.objects.get().end == today + timedelta(days=89)


# --- the checkout's ship_to


@pytest.mark.parametrize("address_id", ["foreign", "abc", "", "1e3", "٣", "-1", "99999999999999999999"])
def test_shipping_to_an_address_that_is_not_the_shoppers_is_refused_with_a_message(
    shopper, indonesia, address_id
):
    # given a shopper with a basket, and someone else's saved address
    other = UserFactory(email="lain@contoh.id", username="lain")
    foreign = UserAddress.objects.create(
        user=other,
        first_name="Lain",
        line1="Jl. Darmo 1",
        line3="Kec. Wonokromo",
        line4="Surabaya",
        country=indonesia,
        phone_number="+6281234567890",
    )
    client = signed_in(shopper.email)
    basket_add(client, product_create())
    # when they ship to it (or to an id that is not a number)
    value = str(foreign.pk) if address_id == "foreign" else address_id
    response = client.post(
        reverse("checkout:shipping-address"), {"address_id": value, "action": "ship_to"}, follow=True
    )
    # then they are back on the address step with a message, and no address is chosen
    assert response.status_code == 200
    assert "tidak ada di buku alamat Anda" in response.content.decode()
    assert client.get(reverse("checkout:shipping-method"))["Location"] == reverse("checkout:shipping-address")


def test_a_saved_delivery_note_is_bounded(shopper, indonesia):
    # given a shopper with a basket, when a new address carries a 200 kB delivery note
    client = signed_in(shopper.email)
    basket_add(client, product_create())
    response = client.post(
        reverse("checkout:shipping-address"),
        {
            "first_name": "Siti",
            "line1": "Jl. Tunjungan 10",
            "line3": "Kec. Genteng",
            "line4": "Surabaya",
            "country": "ID",
            "phone_number": "0812-3456-7890",
            "notes": LONG,
        },
    )
    # then the form says it is too long
    assert response.status_code == 200
    assert "notes" in response.context["form"].errors


# --- NUL bytes in query strings


@pytest.mark.parametrize("url", ["/pengadaan/audit/?nomor=PGD%00", "/search/?q=beras%00", "/?x=%00"])
def test_a_nul_byte_in_a_query_string_gets_the_400_page(db, url):
    # given an auditor (the audit list is theirs), when a query string carries a NUL byte
    auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id")
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    response = client.get(url)
    # then the site's 400 page answers, not a server error
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_the_audit_list_filters_by_number_and_refuses_the_same_number_with_a_nul(db):
    # given an auditor
    auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id")
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    # when the list is filtered by a number, then it answers; with a NUL appended, the 400 page does
    assert client.get(reverse("procurement:audit-list"), {"nomor": "PGD-DINKES-0001"}).status_code == 200
    assert client.get(reverse("procurement:audit-list"), {"nomor": "PGD-DINKES-0001\x00"}).status_code == 400


def test_needed_by_is_bounded_at_two_years_ahead():
    # given the limits, when a date two years less a day ahead is checked, then it is fine; 9999 is not
    assert limits.needed_by_problem(timezone.localdate() + timedelta(days=729)) is None
    assert limits.needed_by_problem(date(9999, 12, 31))


# --- shop registration and verification


def test_a_pp55_certificate_valid_until_9999_is_a_form_error_and_no_shop_exists(shopper_client):
    # given a registration that is good but for a PP 55 certificate "valid until 9999-12-31"
    response = shopper_client.post(reverse("sellers:register"), form_data(pp55_valid_until="9999-12-31"))
    # then the form says the date is too far and no shop exists
    assert response.status_code == 200
    assert "terlalu jauh" in " ".join(response.context["form"].errors["pp55_valid_until"])
    assert not get_model("partner", "Partner").objects.exists()


def test_a_verifiers_reason_is_bounded_and_the_shop_stays_pending(verifier_client):
    # given a shop waiting for verification
    shop = PartnerFactory(name="Kue Basah Bu Ningsih", status=SellerStatus.PENDING)
    # when the verifier rejects it with a 200 kB reason
    response = verifier_client.post(
        reverse("sellers:verification-decide", kwargs={"pk": shop.pk}),
        {"status": SellerStatus.REJECTED, "reason": LONG},
    )
    # then the form says it is too long and the shop is still pending
    assert response.status_code == 200
    assert "paling banyak" in " ".join(response.context["form"].errors["reason"])
    shop.refresh_from_db()
    assert shop.status == SellerStatus.PENDING
