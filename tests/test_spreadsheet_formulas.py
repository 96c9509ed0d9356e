"""Every CSV Peken writes keeps a formula typed by a shopper, seller or admin as harmless text.

A shopper named ``=HYPERLINK("http://x","y")``, a product title or SKU, or a budget
line's description starting with ``=``, ``+``, ``-`` or ``@`` comes out with a leading
single quote in the staff order export and in the stock and budget templates; the
templates still import back unchanged.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from procurement import services
from procurement.models import BudgetLine
from procurement.statuses import Role
from tests.factories import DEFAULT_PASSWORD, UserFactory, order_create, product_create, seller_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles

pytestmark = pytest.mark.django_db
HYPERLINK = '=HYPERLINK("http://x","y")'
SUM = "@SUM(1)"
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")


def cells_of(body: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_the_staff_order_export_quotes_a_shoppers_formula_name(indonesia):
    # given an order shipped to "=HYPERLINK(...)" and billed to "@SUM(1)"
    shop = seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    record = product_create(partner=shop).stockrecords.get()
    order = order_create(user=UserFactory(), lines=[(record, 1)], number="100001")
    order.shipping_address = ShippingAddress.objects.create(
        first_name=HYPERLINK, line1="Jl. Darmo 1", country=indonesia
    )
    order.billing_address = BillingAddress.objects.create(
        first_name=SUM, line1="Jl. Darmo 1", country=indonesia
    )
    order.save()
    staff = UserFactory(email="staf@contoh.id", username="staf", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    # when staff download the order list as CSV from the dashboard
    response = client.get(reverse("dashboard:order-list"), {"response_format": "csv"})
    # then both names are text starting with a quote, and the order is there
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = cells_of(response.content, ",")
    row = next(row for row in rows if "100001" in row)
    assert "'" + HYPERLINK in row and "'" + SUM in row
    assert not any(cell.startswith(("=", "@", "+", "-")) for cells in rows for cell in cells)


def test_the_stock_template_quotes_a_formula_title_and_sku_and_imports_back(db):
    # given a product titled "=HYPERLINK(...)" with the SKU "@SUM(1)"
    shop = seller_create(name="Warung Bu Tini", email="tini@contoh.id")
    record = product_create(title=HYPERLINK, partner=shop, price=15000, stock=10).stockrecords.get()
    record.partner_sku = SUM
    record.save()
    client = Client()
    assert client.login(username="tini@contoh.id", password=DEFAULT_PASSWORD)
    # when the seller downloads the template
    response = client.get(reverse("sellers:centre-stock-csv"))
    # then the title and SKU are quoted text, the numbers as they were
    rows = cells_of(response.content, ";")
    assert rows[1] == ["'" + SUM, "'" + HYPERLINK, "15000", "10"]
    # and uploading it back finds the SKU (the quote is taken off) and changes nothing
    upload = client.post(
        reverse("sellers:centre-stock-upload"),
        {"file": SimpleUploadedFile("stok.csv", response.content, content_type="text/csv")},
    )
    assert upload.status_code == 200
    assert not upload.context.get("csv_errors"), upload.context.get("csv_errors")


def test_the_budget_template_quotes_formula_texts_and_imports_back_unchanged(db):
    # given a budget line whose sub-activity, description and funding source start like formulas
    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")
    line = BudgetLineFactory(
        agency=agency,
        fiscal_year=2026,
        sub_activity="-Rapat koordinasi",
        description=HYPERLINK,
        funding_source=SUM,
        ceiling=Decimal("15000000"),
        account_code="5.1.02.01.01.0052",
    )
    client = Client()
    assert client.login(username=admin.email, password=DEFAULT_PASSWORD)
    # when the admin downloads the template of 2026
    response = client.get(f"/pengadaan/opd/{agency.code}/anggaran/templat.csv?tahun=2026")
    # then every such text is quoted
    rows = cells_of(response.content, ";")
    assert rows[1] == [
        "",
        "'-Rapat koordinasi",
        "5.1.02.01.01.0052",
        "'" + HYPERLINK,
        "'" + SUM,
        "15.000.000",
    ]
    # and importing it back leaves the line as it is
    result = services.budget_lines_import(agency=agency, fiscal_year=2026, file=response.content, actor=admin)
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1)
    line.refresh_from_db()
    assert (line.sub_activity, line.description, line.funding_source) == ("-Rapat koordinasi", HYPERLINK, SUM)
    assert BudgetLine.objects.count() == 1
