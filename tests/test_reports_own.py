"""The reports people read about their own money: an agency's payments and taxes, a shop's sales.

Purchases are built through the services (approval, receipt, payment, tax deposit); each test
recomputes the figures from the raw payments, withholdings and order lines in Python and compares
with the report exactly. A treasurer reads only their agency, a seller only their own shop, and
the pages cost the same queries however many rows they sum.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from orders.statuses import SOLD, OrderStatus
from procurement.context_processors import roles_of
from procurement.models import OfficialPayment, TaxWithholding
from procurement.selectors_seller import seller_payment_totals
from procurement.selectors_spj import Period, reconciliation
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record
from procurement.services.treasury import tax_deposit_record
from procurement.statuses import OfficialPaymentStatus, PaymentMethod, Role
from procurement.tax import TaxKind
from reports.access import payment_agencies, reports_home, reports_open, sales_shops
from reports.models import ReportExport
from reports.statuses import ExportStatus
from sellers.centre import SESSION_KEY
from tests.factories import UserFactory, category_create, order_with_products, product_create, seller_create
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import person_with_roles
from tests.reports_world import other_agency

Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")
JAKARTA = ZoneInfo(settings.TIME_ZONE)


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    world.auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    world.b = other_agency(name="Dinas Pendidikan Uji", code="dispendik-uji")
    world.shopper = UserFactory(email="warga@contoh.id", username="warga")
    # Bu Ani's rice is in two categories: the report names the first in the tree
    world.sembako = category_create("Sembako")
    world.pokok = category_create("Bahan Pokok")
    world.beras.categories.add(world.pokok, world.sembako)
    StockRecord.objects.update(num_in_stock=100_000)
    # Bu Ani's share is above Rp2 juta (PPN and PPh 22); Pak Darto's catering has PPh 23 withheld
    world.items = [(world.beras, 30), (world.minyak, 5), (world.nasi, 5)]
    world.b.items = world.items
    return world


def _last_month(today):
    return today.replace(day=1) - timedelta(days=1)


def purchase(world, *, day=None, items=None):
    """A requisition of ``world`` (an agency's people) received whole and paid on ``day`` (today)."""
    day = day or timezone.localdate()
    bought = delivered(world, items=items or world.items)
    for order in bought.orders.values():
        lines = {line.pk: ReceivedLine(line.quantity, line.quantity, "") for line in order.lines.all()}
        goods_receipt_record(order=order, actor=world.ppk, received_on=day, lines=lines)
        official_payment_record(
            order=order,
            actor=world.treasurer,
            method=PaymentMethod.UP_TRANSFER,
            paid_on=day,
            bank_reference=f"TRX-{order.number}",
        )
    return bought


def deposit(world, *, tax: str, day, ntpn: str):
    """The agency's treasurer deposits every undeposited withholding of ``tax`` of ``day``'s month."""
    rows = TaxWithholding.objects.filter(
        agency=world.agency,
        tax=tax,
        deposit__isnull=True,
        payment__paid_on__year=day.year,
        payment__paid_on__month=day.month,
    )
    return tax_deposit_record(
        agency=world.agency,
        actor=world.treasurer,
        tax=tax,
        period_year=day.year,
        period_month=day.month,
        billing_code="1" * 15,
        ntpn=ntpn,
        deposited_on=timezone.localdate(),
        withholding_ids=list(rows.values_list("pk", flat=True)),
    )


def _paid(**filters):
    return list(
        OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID, **filters).select_related(
            "order__seller", "requisition__agency"
        )
    )


# --- payments and taxes


def test_payments_and_taxes_are_reproduced_from_the_raw_rows(world, client):
    # given agency A paid two purchases last month and one today, and agency B one today
    today = timezone.localdate()
    earlier = _last_month(today)
    purchase(world, day=earlier)
    purchase(world, day=earlier)
    purchase(world)
    purchase(world.b)
    # and A deposited last month's PPh 22 but not its PPN nor its PPh 23
    deposit(world, tax=TaxKind.PPH22, day=earlier, ntpn="NTPN0000PPH22001")
    # when the auditor opens the report of last month's year
    client.force_login(world.auditor)
    response = client.get(reverse("reports:payments"), {"tahun": earlier.year})
    assert response.status_code == 200
    # then every payment of the year is listed with each tax withheld on it
    paid = [p for p in _paid() if p.paid_on.year == earlier.year]
    withholdings = list(TaxWithholding.objects.filter(payment__in=[p.pk for p in paid]))
    rows = {row.order.number: row for row in response.context["page"]}
    assert set(rows) == {p.order.number for p in paid}
    kinds = list(TaxKind.values)
    for p in paid:
        row = rows[p.order.number]
        own = [w for w in withholdings if w.payment_id == p.pk]
        expected = [sum((w.amount for w in own if w.tax == kind), Decimal(0)) for kind in kinds]
        assert [amount for _label, amount in row.taxes] == expected
        assert (row.gross, row.withheld, row.net) == (p.gross, p.withheld, p.net)
        assert sum(expected) == p.withheld
    totals = response.context["totals"]
    assert totals["count"] == len(paid)
    assert totals["gross"] == sum(p.gross for p in paid)
    assert (totals["withheld"], totals["net"]) == (sum(p.withheld for p in paid), sum(p.net for p in paid))
    # the totals per kind, and each month's deposit status
    by_kind = {t.tax: (t.withheld, t.deposited) for t in response.context["tax_totals"]}
    assert by_kind == {
        kind: (
            sum(w.amount for w in withholdings if w.tax == kind),
            sum(w.amount for w in withholdings if w.tax == kind and w.deposit_id),
        )
        for kind in {w.tax for w in withholdings}
    }
    months = {(item["row"].month, item["row"].tax): item["row"] for item in response.context["tax_months"]}
    paid_month = {p.pk: p.paid_on.month for p in paid}
    cells = defaultdict(list)
    for w in withholdings:
        cells[(paid_month[w.payment_id], w.tax)].append(w)
    assert set(months) == set(cells)
    for key, rows_of in cells.items():
        row = months[key]
        assert row.withheld == sum(w.amount for w in rows_of)
        assert row.deposited == sum(w.amount for w in rows_of if w.deposit_id)
        assert row.deposits == len({w.deposit_id for w in rows_of if w.deposit_id})
        assert row.open_agencies == len({w.agency_id for w in rows_of if not w.deposit_id and w.amount > 0})
    # last month's PPh 22 is deposited; its PPh 23 is not, and the month has ended: overdue
    pph22, pph23 = months[(earlier.month, TaxKind.PPH22)], months[(earlier.month, TaxKind.PPH23)]
    assert (pph22.status, pph22.overdue) == ("deposited", False)
    assert (pph23.status, pph23.overdue) == ("open", True)
    assert b"data-overdue" in response.content


def test_one_agency_month_agrees_with_its_reconciliation(world, client):
    # given two paid purchases today, one of whose PPh 22 is deposited
    today = timezone.localdate()
    purchase(world)
    deposit(world, tax=TaxKind.PPH22, day=today, ntpn="NTPN0000PPH22002")
    purchase(world)
    # when the agency's treasurer opens the report for this month
    client.force_login(world.treasurer)
    response = client.get(reverse("reports:payments"), {"bulan": today.month})
    # then its totals are the reconciliation's of the same month
    month = reconciliation(agency=world.agency, period=Period(today.year, today.month), today=today)
    totals = response.context["totals"]
    assert {key: totals[key] for key in ("count", "gross", "withheld", "net")} == month.totals
    assert {t.tax: (t.withheld, t.deposited) for t in response.context["tax_totals"]} == {
        t["tax"]: (t["withheld"], t["deposited"]) for t in month.tax_totals
    }
    # and reading one agency, each month links to its deposit page and its reconciliation
    item = response.context["tax_months"][0]
    assert item["deposits"] == reverse(
        "procurement:tax-deposits",
        kwargs={"code": world.agency.code, "year": today.year, "month": today.month},
    )
    assert client.get(item["deposits"]).status_code == 200
    assert client.get(item["reconciliation"]).status_code == 200
    # and every order links to its payment page, which the treasurer may open
    body = response.content.decode()
    for payment in _paid():
        assert reverse("procurement:payment", args=[payment.order.number]) in body


def test_a_treasurer_of_b_never_sees_the_payments_of_a(world, client):
    # given both agencies paid purchases
    purchase(world)
    purchase(world.b)
    a_numbers = {p.order.number for p in _paid(requisition__agency=world.agency)}
    b_numbers = {p.order.number for p in _paid(requisition__agency=world.b.agency)}
    assert a_numbers and b_numbers
    # when B's treasurer opens the report, asks for agency A, and exports
    client.force_login(world.b.treasurer)
    assert list(payment_agencies(user=world.b.treasurer)) == [world.b.agency]
    page = client.get(reverse("reports:payments"))
    asked = client.get(reverse("reports:payments"), {"opd": world.agency.code})
    csv = client.get(reverse("reports:payments-export", args=["csv"])).content.decode("utf-8-sig")
    # then only B's payments are there, A is not offered, and no figure of A is shown
    assert {row.order.number for row in page.context["page"]} == b_numbers
    assert world.agency.name not in page.content.decode()
    assert asked.context["filter"] is None and "opd" in asked.context["form"].errors
    assert not any(number in csv for number in a_numbers)
    assert all(number in csv for number in b_numbers)
    b_paid = _paid(requisition__agency=world.b.agency)
    assert page.context["totals"]["gross"] == sum(p.gross for p in b_paid)
    # nor do the spending reports open for them
    assert client.get(reverse("reports:realisation")).status_code == 403
    assert client.get(reverse("reports:umkm-export", args=["csv"])).status_code == 403


def test_the_payments_export_holds_the_page_figures(world, client):
    purchase(world)
    client.force_login(world.pa)
    response = client.get(reverse("reports:payments-export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    kinds = [str(TaxKind(kind).label) for kind in TaxKind.values]
    assert list(header[7:11]) == kinds
    paid = {p.order.number: p for p in _paid()}
    assert sorted(row[2] for row in rows) == sorted(paid)
    for row in rows:
        p = paid[row[2]]
        taxes = {w.tax: w.amount for w in p.withholdings.all()}
        assert (row[1], row[3], row[4], row[6]) == (
            world.agency.name,
            p.requisition.reference,
            p.order.seller.name,
            p.gross,
        )
        assert list(row[7:11]) == [taxes.get(kind, 0) for kind in TaxKind.values]
        assert (row[11], row[12]) == (p.withheld, p.net)


def test_a_long_payments_export_goes_to_a_worker(world, client, settings, django_capture_on_commit_callbacks):
    # given three payments and a worker for exports of more than two rows
    settings.PEKEN_REPORT_BACKGROUND_ROWS = 2
    purchase(world)
    purchase(world, items=[(world.beras, 1)])
    assert len(_paid()) == 3
    client.force_login(world.pa)
    # when the PA/KPA asks for the CSV, then they are sent to their downloads (counted, not written)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:payments-export", args=["csv"]))
    assert response.status_code == 302 and response.url == reverse("reports:exports")
    # and the worker wrote every payment, as the request would have
    export = ReportExport.objects.get()
    assert (export.status, export.done, export.total) == (ExportStatus.DONE, 3, 3)
    download = client.get(reverse("reports:export-download", args=[export.pk]))
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert all(p.order.number in content for p in _paid())


@pytest.mark.parametrize("name", ["reports:payments", "reports:payments-export"])
def test_the_payments_queries_do_not_grow_with_the_rows(world, client, django_assert_max_num_queries, name):
    # given one paid purchase (two payments) and a deposit, the page's query count
    today = timezone.localdate()
    purchase(world)
    deposit(world, tax=TaxKind.PPH22, day=today, ntpn="NTPN0000PPH22003")
    client.force_login(world.auditor)
    url = reverse(name, **({"args": ["csv"]} if name.endswith("export") else {}))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # when three more are paid in two months, then it needs no more queries
    purchase(world, day=_last_month(today))
    for _n in range(2):
        purchase(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"tahun": today.year})
        assert response.status_code == 200
    if name == "reports:payments":
        assert len(response.context["page"]) == len([p for p in _paid() if p.paid_on.year == today.year])


# --- a shop's sales


def _sales_world(world):
    """Bu Ani's sales: official orders paid last month and today, and personal orders in both months."""
    today = timezone.localdate()
    earlier = _last_month(today)
    purchase(world, day=earlier)
    purchase(world, items=[(world.beras, 40), (world.nasi, 10)])
    when = timezone.now() - timedelta(days=today.day + 3)  # placed last month
    order_with_products(user=world.shopper, products=[world.beras, world.minyak], date_placed=when)
    order_with_products(user=world.shopper, products=[world.minyak], status=OrderStatus.ACCEPTED)
    # neither a rejected order nor a new one (it may still be rejected) is a sale
    order_with_products(user=world.shopper, products=[world.beras], status=OrderStatus.REJECTED)
    order_with_products(user=world.shopper, products=[world.beras], status=OrderStatus.NEW)
    # another shop's personal sale, which Bu Ani's report must not hold
    order_with_products(user=world.shopper, products=[world.nasi])
    return today


def _expected_sales(seller, year):
    """Per Jakarta month: personal and official orders and value, and the agencies' payments."""
    lines = [
        line
        for line in Line.objects.filter(partner=seller).select_related("order", "product")
        if line.order.status in SOLD and timezone.localtime(line.order.date_placed, JAKARTA).year == year
    ]
    months = defaultdict(lambda: {"personal": set(), "pv": Decimal(0), "official": set(), "ov": Decimal(0)})
    for line in lines:
        month = months[timezone.localtime(line.order.date_placed, JAKARTA).month]
        official = line.order.user_id is None
        month["official" if official else "personal"].add(line.order_id)
        month["ov" if official else "pv"] += line.line_price_incl_tax
    paid = defaultdict(lambda: [Decimal(0)] * 3)
    for p in _paid(order__seller=seller):
        if p.paid_on.year == year:
            cell = paid[p.paid_on.month]
            cell[0], cell[1], cell[2] = cell[0] + p.gross, cell[1] + p.withheld, cell[2] + p.net
    return lines, months, paid


def test_a_shops_sales_are_reproduced_from_the_raw_rows(world, client):
    today = _sales_world(world)
    # when Bu Ani opens her sales report of this year
    client.force_login(world.ani.users.get())
    response = client.get(reverse("reports:sales"))
    assert response.status_code == 200 and response.context["seller"] == world.ani
    # then each month is her own lines and payments summed
    lines, months, paid = _expected_sales(world.ani, today.year)
    got = response.context["months"]
    assert len(got) == 12
    for n, row in enumerate(got, start=1):
        want = months.get(n, {"personal": set(), "pv": 0, "official": set(), "ov": 0})
        assert (row.personal_orders, row.personal_value) == (len(want["personal"]), want["pv"]), n
        assert (row.official_orders, row.official_value) == (len(want["official"]), want["ov"]), n
        assert [row.paid_gross, row.withheld, row.net] == paid.get(n, [0, 0, 0]), n
    year = response.context["year_row"]
    assert year.personal_orders == len({line.order_id for line in lines if line.order.user_id})
    assert year.official_value == sum(line.line_price_incl_tax for line in lines if not line.order.user_id)
    assert year.net == sum(p.net for p in _paid(order__seller=world.ani) if p.paid_on.year == today.year)
    # the year's payments are the yearly withholding summary's, and the page links to it
    totals = seller_payment_totals(seller=world.ani, year=today.year)
    assert (year.paid_gross, year.withheld, year.net) == (totals["gross"], totals["withheld"], totals["net"])
    assert f"{reverse('procurement:seller-withholdings')}?tahun={today.year}&amp;toko={world.ani.pk}" in (
        response.content.decode()
    )
    # and per category: each line under its product's first category in the tree, "Tanpa kategori" without
    expected = defaultdict(Decimal)
    for line in lines:
        first = line.product.categories.order_by("path").first()
        expected[first.name if first else "Tanpa kategori"] += line.line_price_incl_tax
    assert {row.label: row.value for row in response.context["categories"]} == expected
    assert "Sembako" in expected and "Bahan Pokok" not in expected


def test_a_seller_never_sees_another_shops_sales(world, client):
    _sales_world(world)
    darto = world.darto.users.get()
    # given Pak Darto, when he opens the sales report and asks for Bu Ani's shop
    client.force_login(darto)
    assert list(sales_shops(user=darto)) == [world.darto]
    own = client.get(reverse("reports:sales"))
    asked = client.get(reverse("reports:sales"), {"toko": world.ani.pk})
    export = client.get(reverse("reports:sales-export", args=["csv"]), {"toko": world.ani.pk})
    # then he sees his own shop only: Bu Ani's figures are neither shown nor exported
    assert own.context["seller"] == world.darto
    lines, _months, _paid_months = _expected_sales(world.darto, timezone.localdate().year)
    assert own.context["year_row"].value == sum(line.line_price_incl_tax for line in lines)
    assert world.ani.name not in own.content.decode()
    assert asked.status_code == 200 and asked.context["filter"] is None
    assert world.ani.name not in asked.content.decode() and "months" not in asked.context
    assert export.status_code == 404
    # and staff, the auditors and the agency's treasurer get no shop's sales
    for person in (
        UserFactory(email="operator@peken.uji", username="operator", is_staff=True),
        world.auditor,
    ):
        client.force_login(person)
        assert client.get(reverse("reports:sales"), {"toko": world.ani.pk}).status_code == 403
    client.force_login(world.treasurer)
    assert client.get(reverse("reports:sales-export", args=["xlsx"])).status_code == 403


def test_someone_with_two_shops_picks_one(world, client):
    # given Bu Ani also runs a second shop with one personal sale
    _sales_world(world)
    ani = world.ani.users.get()
    second = seller_create(name="Warung Ani Dua", email="ani2@contoh.id")
    second.users.add(ani)
    product = product_create(title="Gula 1 kg", price=Decimal("18000"), partner=second)
    order_with_products(user=world.shopper, products=[product])
    client.force_login(ani)
    # when she opens the report, then it is her first shop's, with a picker for the other
    first = client.get(reverse("reports:sales"))
    assert first.context["seller"] == world.ani
    assert [s.pk for s in first.context["form"].fields["toko"].queryset] == [world.ani.pk, second.pk]
    # and when she picks the second (here, or in the seller centre), the figures are its own
    picked = client.get(reverse("reports:sales"), {"toko": second.pk})
    assert picked.context["seller"] == second
    assert picked.context["year_row"].personal_value == Decimal("18000")
    session = client.session
    session[SESSION_KEY] = second.pk
    session.save()
    assert client.get(reverse("reports:sales")).context["seller"] == second
    export = client.get(reverse("reports:sales-export", args=["csv"]), {"toko": second.pk}).content.decode()
    assert "18000" in export and world.ani.name not in export


def test_the_sales_export_holds_the_page_figures(world, client):
    today = _sales_world(world)
    client.force_login(world.ani.users.get())
    page = client.get(reverse("reports:sales"))
    sheet = load_workbook(BytesIO(client.get(reverse("reports:sales-export", args=["xlsx"])).content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert len(header) == 9
    months, year, categories = rows[:12], rows[12], rows[13:]
    for got, row in zip(months, page.context["months"], strict=True):
        assert list(got[1:]) == [
            row.label,
            row.personal_orders,
            row.personal_value,
            row.official_orders,
            row.official_value,
            row.paid_gross,
            row.withheld,
            row.net,
        ]
    assert year[1] == str(today.year) and year[6:] == (
        page.context["year_row"].paid_gross,
        page.context["year_row"].withheld,
        page.context["year_row"].net,
    )
    assert {row[1]: row[3] + row[5] for row in categories} == {
        row.label: row.value for row in page.context["categories"]
    }


@pytest.mark.parametrize("name", ["reports:sales", "reports:sales-export"])
def test_the_sales_queries_do_not_grow_with_the_orders(world, client, django_assert_max_num_queries, name):
    # given Bu Ani's first sales, the page's query count
    purchase(world)
    order_with_products(user=world.shopper, products=[world.beras])
    client.force_login(world.ani.users.get())
    url = reverse(name, **({"args": ["xlsx"]} if name.endswith("export") else {}))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # when she sells much more, in more categories and months, then it needs no more queries
    _sales_world(world)
    for n in range(3):
        extra = product_create(
            title=f"Telur {n}",
            price=Decimal("28000"),
            partner=world.ani,
            category=category_create(f"Kat {n}"),
        )
        order_with_products(user=world.shopper, products=[extra, world.beras])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- the menu


def test_the_menu_leads_each_person_to_a_report_they_may_open(world, client):
    # given a treasurer, a seller, a PA/KPA who also runs a shop, and a shopper
    pa_shop = seller_create(name="Toko Pak Kepala", email="kepala@contoh.id")
    pa_shop.users.add(world.pa)
    cases = {
        world.treasurer: ("reports:payments", {"payments"}),
        world.ani.users.get(): ("reports:sales", {"sales"}),
        world.pa: ("reports:realisation", {"spending", "payments", "sales"}),
        world.auditor: ("reports:realisation", {"spending", "payments"}),
        world.shopper: (None, set()),
    }
    for person, (landing, tabs) in cases.items():
        # then "Laporan" opens the first report they read, and the tabs are the reports they may open
        assert reports_home(user=person) == landing, person
        assert reports_open(user=person) == tabs, person
        if landing:
            client.force_login(person)
            assert client.get(reverse(landing)).status_code == 200


def test_the_menu_costs_no_query_for_an_agencys_people(world, django_assert_num_queries):
    # given the roles are cached once (the header reads them on every page)
    for person in (world.treasurer, world.pa, world.auditor):
        reports_home(user=person)
        # when the menu asks again, then the cached roles answer
        with django_assert_num_queries(0):
            assert reports_home(user=person) is not None
    # and a seller without a role costs one query (do they work for a shop), asked once a request
    seller = world.ani.users.get()
    roles_of(seller)
    with django_assert_num_queries(1):
        assert reports_home(user=seller) == "reports:sales"
    with django_assert_num_queries(0):
        assert reports_home(user=seller) == "reports:sales"
