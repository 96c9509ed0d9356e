"""The demo marketplace: a believable Surabaya, loaded idempotently, never in production."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue_ext import selectors
from peken import city, demo
from procurement import demo as procurement_demo
from procurement.models import Agency, ApprovalStep, AuditEntry, BudgetLine, Membership, Unit
from procurement.statuses import Role
from tests.test_settings import PRODUCTION_ENV, ROOT

Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")
Category = get_model("catalogue", "Category")

SURABAYA_KECAMATAN = {
    "Asemrowo",
    "Benowo",
    "Bubutan",
    "Bulak",
    "Dukuh Pakis",
    "Gayungan",
    "Genteng",
    "Gubeng",
    "Gunung Anyar",
    "Jambangan",
    "Karang Pilang",
    "Kenjeran",
    "Krembangan",
    "Lakarsantri",
    "Mulyorejo",
    "Pabean Cantian",
    "Pakal",
    "Rungkut",
    "Sambikerep",
    "Sawahan",
    "Semampir",
    "Simokerto",
    "Sukolilo",
    "Sukomanunggal",
    "Tambaksari",
    "Tandes",
    "Tegalsari",
    "Tenggilis Mejoyo",
    "Wiyung",
    "Wonocolo",
    "Wonokromo",
}


def table_sizes() -> dict[str, int]:
    return {
        "partners": Partner.objects.count(),
        "addresses": PartnerAddress.objects.count(),
        "products": Product.objects.count(),
        "images": ProductImage.objects.count(),
        "stock": StockRecord.objects.count(),
        "categories": Category.objects.count(),
        "users": get_user_model().objects.count(),
        **{
            f"procurement_{model.__name__}": model.objects.count()
            for model in (Agency, Unit, Membership, BudgetLine, ApprovalStep, AuditEntry)
        },
    }


@pytest.mark.django_db
def test_demo_marketplace_is_surabaya_and_loads_twice_without_change(client, capsys):
    # given an empty database
    # when the demo command runs
    call_command("peken_demo")
    printed = capsys.readouterr().out

    # then Surabaya's 31 kecamatan hold at least 40 sellers with their shop address
    assert set(city.kecamatan_names()) == SURABAYA_KECAMATAN
    addresses = PartnerAddress.objects.all()
    assert addresses.count() >= 40
    used = {a.line3.removeprefix("Kec. ") for a in addresses}
    assert used <= SURABAYA_KECAMATAN and len(used) >= 25
    # at least 300 priced, stocked products with a picture, on every required shelf
    products = Product.objects.browsable()
    assert products.count() >= 300
    assert not products.filter(stockrecords__isnull=True).exists()
    assert not products.filter(images__isnull=True).exists()
    assert StockRecord.objects.filter(price__lt=500).count() == 0
    for shelf in (
        "Sembako",
        "Minuman",
        "Makanan Ringan",
        "Alat Tulis Kantor",
        "Kerajinan",
        "Fashion",
        "Makanan & Minuman Rapat",
    ):
        category = Category.objects.get(depth=1, name=shelf)
        assert selectors.product_list(category=category).count() >= 6, shelf
    # every seller has something to sell
    assert not Partner.objects.filter(stockrecords__isnull=True).exists()
    # the demo accounts work with the passwords the command printed
    for account in (demo.SHOPPER, demo.ADMIN):
        assert account["password"] in printed and account["email"] in printed
        assert client.login(username=account["email"], password=account["password"])
    assert get_user_model().objects.get(email=demo.ADMIN["email"]).is_staff
    # the demo seller runs one demo shop through the seller centre, never Oscar's dashboard
    assert demo.SELLER["password"] in printed and demo.SELLER["email"] in printed
    seller = get_user_model().objects.get(email=demo.SELLER["email"])
    assert seller.partners.count() == 1 and not seller.has_perm("partner.dashboard_access")
    assert client.login(username=demo.SELLER["email"], password=demo.SELLER["password"])
    assert client.get("/penjual/pusat/produk/").status_code == 200

    # the city's agencies each have their units, a person in every role, this year's budget and policy
    assert set(Agency.objects.values_list("name", flat=True)) >= {
        "Dinas Kesehatan",
        "Dinas Pendidikan",
        "Bappeda",
        "Kecamatan Gubeng",
        "Kecamatan Tegalsari",
    }
    agency_roles = set(Role.values) - {Role.AUDITOR}
    for agency in Agency.objects.all():
        assert agency.units.count() >= 3 and agency.address and agency.kecamatan in SURABAYA_KECAMATAN
        assert set(agency.memberships.values_list("role", flat=True)) == agency_roles, agency
        assert agency.budget_lines.filter(fiscal_year=timezone.localdate().year, ceiling__gt=0).count() >= 4
        assert agency.approval_steps.count() == 3
    assert Membership.objects.filter(
        role=Role.AUDITOR, agency=None, user__email="inspektorat@peken.local"
    ).exists()
    # and the officials sign in with the printed password: the requester, PP, PPK, PA/KPA of Dinkes
    assert procurement_demo.OFFICIAL_PASSWORD in printed
    for email in (
        "pptk.dinkes@peken.local",
        "pp.dinkes@peken.local",
        "ppk.dinkes@peken.local",
        "kadis.dinkes@peken.local",
        "bendahara.dinkes@peken.local",
        "admin.dinkes@peken.local",
        "inspektorat@peken.local",
        "admin.gubeng@peken.local",
    ):
        assert email in printed and client.login(username=email, password=procurement_demo.OFFICIAL_PASSWORD)
    assert client.get("/pengadaan/opd/kec-gubeng/anggaran/").status_code == 200

    # when it runs again, nothing is added or duplicated
    before = table_sizes()
    call_command("peken_demo")
    assert table_sizes() == before


@pytest.mark.django_db
def test_demo_data_is_refused_where_not_allowed(settings):
    # given production settings
    settings.PEKEN_DEMO_DATA_ALLOWED = False
    # when the demo command runs, then it refuses and creates no account
    with pytest.raises(CommandError, match="PEKEN_DEMO_DATA_ALLOWED"):
        call_command("peken_demo")
    assert not get_user_model().objects.filter(email__endswith="@peken.local").exists()


def test_demo_command_fails_under_production_settings():
    # given the production settings with their documented environment
    # (a database that cannot be reached: the refusal must come before any write)
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}
    # when the demo command is run there, then it refuses
    result = subprocess.run(
        [sys.executable, "manage.py", "peken_demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PEKEN_DEMO_DATA_ALLOWED" in result.stderr


def test_synthetic_command_fails_under_production_settings():
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}
    result = subprocess.run(
        [sys.executable, "manage.py", "peken_synthetic", "--products", "10"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PEKEN_SYNTHETIC_DATA_ALLOWED" in result.stderr


@pytest.mark.django_db
def test_demo_again_keeps_what_a_newcomer_changed_and_creates_what_is_missing(client):
    # given the demo loaded once
    demo.demo_load()
    record = StockRecord.objects.select_related("product", "partner").order_by("pk").first()
    product, shop = record.product, record.partner
    # and a newcomer then changed a price, a stock, a title, a shop, a password, a ceiling and a role
    StockRecord.objects.filter(pk=record.pk).update(price=123_456, num_in_stock=7)
    Product.objects.filter(pk=product.pk).update(title="Beras pandan wangi edisi uji")
    Partner.objects.filter(pk=shop.pk).update(name="Toko Uji Coba", phone="0811000111")
    admin = get_user_model().objects.get(email=demo.ADMIN["email"])
    admin.set_password("sandi-baru-saya")
    admin.save()
    line = BudgetLine.objects.order_by("pk").first()
    BudgetLine.objects.filter(pk=line.pk).update(ceiling=line.ceiling + 1_000_000)
    revoked = Membership.objects.filter(user__email="pp.dinkes@peken.local").get()
    revoked.delete()
    # and deleted one demo product
    gone = Product.objects.exclude(pk=product.pk).order_by("pk").last()
    gone_upc = gone.upc
    gone.delete()

    # when the demo loads again as the next `make run` does it (migrations first, in the same process)
    call_command("peken_demo", "--migrate")

    # then every change is kept
    record.refresh_from_db()
    assert (record.price, record.num_in_stock) == (123_456, 7)
    assert Product.objects.get(pk=product.pk).title == "Beras pandan wangi edisi uji"
    assert Partner.objects.filter(pk=shop.pk, name="Toko Uji Coba", phone="0811000111").exists()
    assert client.login(username=demo.ADMIN["email"], password="sandi-baru-saya")
    assert BudgetLine.objects.get(pk=line.pk).ceiling == line.ceiling + 1_000_000
    assert not Membership.objects.filter(user__email="pp.dinkes@peken.local").exists()
    # and what was missing is back, priced and stocked
    assert StockRecord.objects.filter(product__upc=gone_upc, price__gt=0, num_in_stock__gt=0).exists()
