"""The spend report: every breakdown recomputed from the raw payments, orders, lines and receipts.

Purchases are built through the services (approval, receipt, payment). The test then allocates each
paid order's gross over its accepted lines itself, in Python, names each line's category and kind
from the product, and compares every figure of the report exactly; the queries of each page stay
the same when the purchases grow.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from catalogue_ext.selectors import product_supply_kind
from procurement.models import Agency, GoodsReceipt, GoodsReceiptLine, OfficialPayment, Requisition
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record
from procurement.statuses import OfficialPaymentStatus, PaymentMethod, Role
from reports import services, spend, tasks
from reports.forms import ReportFilter
from reports.models import SpendPayment, SpendShare
from sellers.abstract_models import UmkmScale
from tests.factories import category_create, product_create
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import person_with_roles
from tests.reports_world import other_agency, paid, shop

Line = get_model("order", "Line")
STEP = get_model("catalogue", "Category").steplen


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    world = fulfilment_world()
    world.auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    # Bu Ani (PKP: PPN on her invoices) is micro, in Wonokromo; Pak Darto's catering medium, in Gubeng
    world.ani.umkm_scale, world.ani.kecamatan = UmkmScale.MICRO, "Wonokromo"
    world.ani.save(update_fields=["umkm_scale", "kecamatan"])
    world.darto.umkm_scale, world.darto.kecamatan = UmkmScale.MEDIUM, "Gubeng"
    world.darto.save(update_fields=["umkm_scale", "kecamatan"])
    # a small printing cooperative in Rungkut, and a shop that stated neither kecamatan nor scale
    world.koperasi, world.spanduk = shop(name="Koperasi Karya", kecamatan="Rungkut", price=Decimal("123457"))
    world.koperasi.is_cooperative, world.koperasi.umkm_scale = True, UmkmScale.SMALL
    world.koperasi.save(update_fields=["is_cooperative", "umkm_scale"])
    world.anon, world.servis = shop(name="Toko Tanpa Data", price=Decimal("33333"))
    world.servis.supply_kind = SupplyKind.OTHER_SERVICE
    world.servis.save(update_fields=["supply_kind"])
    # categories: Sembako > Beras; Jasa Cetak (printing by its slug); the caterer's own stays
    world.sembako = category_create("Sembako")
    world.beras_cat = category_create("Beras", parent=world.sembako)
    world.beras.categories.add(world.beras_cat)
    world.minyak.categories.add(world.sembako)
    world.spanduk.categories.add(category_create("Jasa Cetak"))
    world.gula = product_create(title="Gula Pasir 1 kg", price=Decimal("17777"), partner=world.ani)
    world.gula.categories.add(world.sembako)
    world.b = other_agency(name="Dinas Pendidikan Uji", code="dispendik-uji")
    return world


def _receive_and_pay(world, bought, *, refuse: dict, received_days_ago: int, paid_days_ago: int):
    """Receive every order of ``bought`` whole but for ``refuse`` ({product: refused}), then pay it."""
    today = timezone.localdate()
    for order in bought.orders.values():
        lines = {}
        for line in order.lines.all():
            refused = refuse.get(line.product, 0)
            lines[line.pk] = ReceivedLine(
                line.quantity, line.quantity - refused, "kemasan rusak" if refused else ""
            )
        goods_receipt_record(
            order=order, actor=world.ppk, received_on=today - timedelta(days=received_days_ago), lines=lines
        )
        official_payment_record(
            order=order,
            actor=world.treasurer,
            method=PaymentMethod.UP_CASH,
            paid_on=today - timedelta(days=paid_days_ago),
        )


def _build(world, *, large: bool = False):
    # agency A: both shops paid in full; then a part of the beras refused, paid days after approval
    paid(world, items=[(world.beras, 30), (world.minyak, 10), (world.nasi, 40)])
    bought = delivered(
        world, items=[(world.beras, 7), (world.gula, 3), (world.minyak, 1), (world.spanduk, 2)]
    )
    Requisition.objects.filter(pk=bought.requisition.pk).update(
        date_decided=timezone.now() - timedelta(days=12)
    )
    _receive_and_pay(world, bought, refuse={world.beras: 2}, received_days_ago=5, paid_days_ago=1)
    # agency B buys catering and the unnamed shop's service
    paid(world.b, items=[(world.nasi, 7), (world.servis, 3), (world.gula, 5)])
    # delivered but not paid: not spend
    waiting = delivered(world, items=[(world.beras, 2)])
    for order in waiting.orders.values():
        lines = {line.pk: ReceivedLine(line.quantity, line.quantity, "") for line in order.lines.all()}
        goods_receipt_record(order=order, actor=world.ppk, received_on=timezone.localdate(), lines=lines)
    if large:
        for n in range(3):
            paid(world, items=[(world.gula, 4 + n), (world.spanduk, 1 + n), (world.nasi, 2)])
            paid(world.b, items=[(world.beras, 1 + n), (world.servis, 2)])


# --- the report recomputed in Python from the raw rows ---


def _first_category(product):
    if product is None:
        return None
    canonical = product.parent if product.parent_id else product
    return min((c for c in canonical.categories.all()), key=lambda c: c.path, default=None)


def _shares(payment) -> list[dict]:
    """The payment's gross over its order's accepted lines, by cumulative rounding in line order."""
    accepted = defaultdict(int)
    for receipt_line in GoodsReceiptLine.objects.filter(receipt__order=payment.order):
        accepted[receipt_line.order_line_id] += receipt_line.quantity_accepted
    lines = [
        (line, line.unit_price_incl_tax * accepted[line.pk])
        for line in Line.objects.filter(order=payment.order).order_by("pk")
        if line.unit_price_incl_tax * accepted[line.pk] > 0
    ]
    whole = sum((value for _line, value in lines), Decimal(0))

    def rounded(upto):  # round half up of gross x upto / whole, exactly
        return (2 * payment.gross * upto + whole) // (2 * whole)

    shares, upto = [], Decimal(0)
    for line, value in lines:
        share = rounded(upto + value) - rounded(upto)
        upto += value
        category = _first_category(line.product)
        shares.append(
            {
                "amount": share,
                "path": category.path if category else None,
                "kind": product_supply_kind(line.product),
            }
        )
    assert sum(s["amount"] for s in shares) == payment.gross
    return shares


def _scale_key(seller) -> str:
    if seller.is_cooperative:
        return "koperasi"
    return seller.umkm_scale or spend.NONE_KEY


def _key(per: str, payment, share, f: ReportFilter) -> str:
    seller = payment.order.seller
    if per == "opd":
        return str(payment.requisition.agency_id)
    if per == "penjual":
        return str(seller.pk)
    if per == "kecamatan":
        return seller.kecamatan or spend.NONE_KEY
    if per == "skala":
        return _scale_key(seller)
    if per == "bulan":
        return str(payment.paid_on.month)
    length = STEP * ((f.category.depth if f.category else 0) + 1)
    return share["path"][:length] if share["path"] else spend.NONE_KEY


def _expected(f: ReportFilter, keep=lambda seller: True) -> dict:
    """Every figure of the spend report for ``f``, from the raw rows."""
    payments = [
        p
        for p in OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).select_related(
            "order__seller", "requisition"
        )
        if p.paid_on.year == f.year and (not f.month or p.paid_on.month == f.month) and keep(p.order.seller)
    ]
    rows = {per: defaultdict(lambda: [Decimal(0), set()]) for per in spend.DIMENSIONS}
    kinds, total, orders = defaultdict(Decimal), Decimal(0), set()
    approval, payment_days = [], []
    for payment in payments:
        shares = _shares(payment)
        if f.category:
            shares = [s for s in shares if s["path"] and s["path"].startswith(f.category.path)]
        if not shares:
            continue
        for share in shares:
            kinds[share["kind"]] += share["amount"]
            for per in spend.DIMENSIONS:
                row = rows[per][_key(per, payment, share, f)]
                row[0] += share["amount"]
                row[1].add(payment.pk)
        total += sum(s["amount"] for s in shares)
        orders.add(payment.pk)
        last = max(g.received_on for g in GoodsReceipt.objects.filter(order=payment.order))
        approval.append((last - timezone.localtime(payment.requisition.date_decided).date()).days)
        payment_days.append((payment.paid_on - last).days)
    return {
        "rows": {per: {k: (v[0], len(v[1])) for k, v in r.items()} for per, r in rows.items()},
        "kinds": dict(kinds),
        "total": total,
        "orders": len(orders),
        "approval": (sum(approval), len(approval)),
        "payment": (sum(payment_days), len(payment_days)),
    }


def _filter(**kwargs) -> ReportFilter:
    return ReportFilter(year=timezone.localdate().year, **kwargs)


def _assert_report(f: ReportFilter, keep=lambda seller: True):
    services.spend_shares_split()  # as the pages do before they read
    everything = Agency.objects.all()
    expected = _expected(f, keep)
    summary = spend.spend_summary(agencies=everything, f=f)
    assert (summary.total, summary.orders) == (expected["total"], expected["orders"])
    assert {k: v for k, v in summary.by_kind.items() if v} == expected["kinds"]
    assert summary.goods + summary.services == summary.total and summary.unallocated == 0
    assert (summary.approval_days, summary.approval_orders) == expected["approval"]
    assert (summary.payment_days, summary.payment_orders) == expected["payment"]
    for per in spend.DIMENSIONS:
        _sort, rows = spend.spend_rows(agencies=everything, f=f, per=per)
        got = {row.key: (row.amount, row.orders) for row in rows if row.orders}
        assert got == expected["rows"][per], per
        assert sum((row.amount for row in rows), Decimal(0)) == summary.total, per
        # and the purchases behind each row add up to it
        for row in rows:
            _sort, purchases = spend.spend_purchases(agencies=everything, f=f, per=per, key=row.key)
            assert purchases.count() == row.orders, (per, row.key)
            assert purchases.total == row.amount, (per, row.key)
            listed = purchases[0 : row.orders]
            assert sum((p.amount for p in listed), Decimal(0)) == row.amount
    return expected, summary


def test_every_breakdown_is_reproduced_from_the_raw_rows(world):
    # given purchases of two agencies: PPN and PBJT on the invoices, a part refused, one not yet paid
    _build(world)
    # when the report is read for the year, then each figure is what the raw rows add up to
    expected, summary = _assert_report(_filter())
    assert summary.total == sum(
        (p.gross for p in OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID)), Decimal(0)
    )
    assert set(expected["kinds"]) == {
        SupplyKind.GOODS,
        SupplyKind.CATERING,
        SupplyKind.PRINTING,
        SupplyKind.OTHER_SERVICE,
    }
    # the refused beras and its twelve days from approval to receipt count in the averages
    # (its two orders, of seven paid: 2 x 7 days and 2 x 4 days)
    assert (summary.approval_days, summary.payment_days, summary.orders) == (14, 8, 7)
    assert (summary.approval_to_receipt, summary.receipt_to_payment) == (Decimal("2.0"), Decimal("1.1"))
    rows = expected["rows"]
    assert set(rows["skala"]) == {UmkmScale.MICRO, UmkmScale.MEDIUM, "koperasi", spend.NONE_KEY}
    assert set(rows["kecamatan"]) == {"Wonokromo", "Gubeng", "Rungkut", spend.NONE_KEY}
    # top-level categories, and the lines of products without one
    assert set(rows["kategori"]) == {
        world.sembako.path,
        world.nasi.categories.get().path,
        world.spanduk.categories.get().path,
        spend.NONE_KEY,
    }


def test_a_month_and_the_seller_filters_are_reproduced(world):
    _build(world)
    today = timezone.localdate()
    for f, keep in (
        (_filter(month=today.month), lambda s: True),
        (_filter(kecamatan="Wonokromo"), lambda s: s.kecamatan == "Wonokromo"),
        (_filter(scale=UmkmScale.MICRO), lambda s: s.umkm_scale == UmkmScale.MICRO),
        (_filter(scale="koperasi"), lambda s: s.is_cooperative),
        (_filter(scale=UmkmScale.SMALL), lambda s: s.umkm_scale == UmkmScale.SMALL),
        (_filter(agency=world.b.agency), lambda s: True),
    ):
        if f.agency:
            everything = Agency.objects.all()
            mine = spend.spend_summary(agencies=everything, f=f)
            assert mine.total == sum(
                (p.gross for p in OfficialPayment.objects.filter(requisition__agency=world.b.agency)),
                Decimal(0),
            )
            continue
        expected, summary = _assert_report(f, keep)
        assert summary.total > 0, f
    # the cooperative alone: only the printing, under "cooperative" in the scale breakdown
    _sort, rows = spend.spend_rows(agencies=Agency.objects.all(), f=_filter(scale="koperasi"), per="skala")
    assert [(row.key, row.label) for row in rows] == [("koperasi", "Koperasi")]


def test_a_category_keeps_its_lines_and_breaks_down_one_level_below(world):
    _build(world, large=True)
    # when Sembako is chosen, then only its lines and Beras' count, split into Beras and Sembako itself
    f = _filter(category=world.sembako)
    expected, summary = _assert_report(f)
    assert set(expected["rows"]["kategori"]) == {world.beras_cat.path, world.sembako.path}
    assert set(summary.by_kind) == {SupplyKind.GOODS}
    # and the categories' amounts together are the year's total without a category
    everything = Agency.objects.all()
    _sort, top = spend.spend_rows(agencies=everything, f=_filter(), per="kategori")
    sembako = next(row for row in top if row.key == world.sembako.path)
    assert sembako.amount == summary.total and sembako.code == str(world.sembako.pk)
    # only Sembako has subcategories to break down into
    assert {row.key for row in top if row.subcategories} == {world.sembako.path}
    assert (
        sum((row.amount for row in top), Decimal(0))
        == spend.spend_summary(agencies=everything, f=_filter()).total
    )
    # a subcategory: Beras alone
    _assert_report(_filter(category=world.beras_cat))


def test_the_page_shows_the_figures_and_links_each_row_to_its_purchases(world, client):
    _build(world)
    client.force_login(world.auditor)
    response = client.get(reverse("reports:spend"), {"per": "penjual"})
    assert response.status_code == 200
    summary = response.context["summary"]
    body = response.content.decode()
    assert 'data-spend-table="penjual"' in body and "<svg" in body
    # the chart: one bar per kecamatan with spend, largest first
    chart = response.context["chart"]
    _sort, kecamatan = spend.spend_rows(agencies=Agency.objects.all(), f=_filter(), per="kecamatan")
    assert [bar.label for bar in chart["bars"]] == [
        row.label for row in sorted(kecamatan, key=lambda r: (-r.amount, r.label))
    ]
    # each seller row opens that seller's paid orders, each linked to its trail
    link = f"{reverse('reports:spend-purchases')}?per=penjual&amp;kunci={world.ani.pk}"
    assert link in body
    purchases = client.get(
        reverse("reports:spend-purchases"), {"per": "penjual", "kunci": world.ani.pk, "sort": "amount"}
    )
    assert purchases.status_code == 200
    ani = OfficialPayment.objects.filter(order__seller=world.ani, status=OfficialPaymentStatus.PAID)
    assert purchases.context["total"] == sum((p.gross for p in ani), Decimal(0))
    amounts = [p.amount for p in purchases.context["page"]]
    assert amounts == sorted(amounts) and len(amounts) == ani.count()
    for payment in ani:
        audit = reverse("procurement:audit-detail", args=[payment.requisition.reference])
        assert audit in purchases.content.decode()
    assert summary.total == sum(row.amount for row in response.context["page"])
    # the agency rows open the agency's realisation too
    agencies = client.get(reverse("reports:spend"))
    assert reverse("reports:realisation-agency", args=[world.b.agency.code]) in agencies.content.decode()


def test_rows_sort_and_page(world, client, django_assert_max_num_queries):
    # given thirty sellers each paid once by agency B, with different amounts
    _build(world)
    items = []
    for n in range(30):
        _seller, product = shop(
            name=f"Toko Urut {n:02d}", kecamatan="Tegalsari", price=Decimal(1000 * (n + 1))
        )
        items.append((product, 1))
    paid(world.b, items=items)
    client.force_login(world.auditor)
    with CaptureQueriesContext(connection) as first_page:
        first = client.get(reverse("reports:spend"), {"per": "penjual", "sort": "amount"})
    amounts = [row.amount for row in first.context["page"]]
    assert len(amounts) == 25 and amounts == sorted(amounts)
    assert first.context["sorts"]["amount"].endswith("sort=-amount")
    with django_assert_max_num_queries(len(first_page.captured_queries)):
        second = client.get(reverse("reports:spend"), {"per": "penjual", "sort": "amount", "halaman": 2})
    assert len(second.context["page"]) == len(first.context["page"].paginator.object_list) - 25
    names = [
        row.label
        for row in client.get(reverse("reports:spend"), {"per": "penjual", "sort": "name"}).context["page"]
    ]
    assert names == sorted(names, key=str.casefold)
    # by month: every month listed, in calendar order by default
    months = client.get(reverse("reports:spend"), {"per": "bulan"}).context["page"]
    assert [row.key for row in months] == [str(m) for m in range(1, 13)]


PAGES = [("reports:spend", {"per": per}) for per in spend.DIMENSIONS] + [
    ("reports:spend", {"per": "opd", "kategori": "sembako"}),
    ("reports:spend", {"per": "kategori", "kategori": "sembako"}),
    ("reports:spend-purchases", {}),
    ("reports:spend-purchases", {"per": "kategori", "kunci": "sembako"}),
    ("reports:spend-purchases", {"per": "kecamatan", "kunci": "Wonokromo", "kategori": "sembako"}),
]


@pytest.mark.parametrize("name, query", PAGES)
def test_queries_do_not_grow_with_the_purchases(world, client, django_assert_max_num_queries, name, query):
    def resolved():
        values = {
            k: (str(world.sembako.pk) if v == "sembako" and k == "kategori" else v) for k, v in query.items()
        }
        if values.get("kunci") == "sembako":
            values["kunci"] = world.sembako.path
        return values

    # given the small world, the page's query count
    _build(world)
    client.force_login(world.auditor)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse(name), resolved())
    assert response.status_code == 200 and response.context["filter"] is not None
    rows = len(response.context["page"].paginator.object_list) if "page" in response.context else 0
    # when six more purchases are paid (twelve more orders), then the page needs no more queries
    _build(world, large=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name), resolved())
    assert response.status_code == 200
    assert rows <= len(response.context["page"].paginator.object_list)


def test_exports_hold_the_breakdown(world, client):
    _build(world)
    client.force_login(world.auditor)
    csv = client.get(reverse("reports:spend-export", args=["csv"]), {"per": "kecamatan"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    _sort, rows = spend.spend_rows(agencies=Agency.objects.all(), f=_filter(), per="kecamatan")
    assert len(lines) == len(rows) + 1
    xlsx = client.get(reverse("reports:spend-export", args=["xlsx"]), {"per": "penjual"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    koperasi = values[world.koperasi.name]
    assert koperasi[1:3] == ("Rungkut", "Koperasi")
    assert koperasi[3] == sum(
        (p.gross for p in OfficialPayment.objects.filter(order__seller=world.koperasi)), Decimal(0)
    )
    assert client.get(reverse("reports:spend-export", args=["doc"])).status_code == 404


def test_a_pa_cannot_open_another_agencys_row(world, client):
    _build(world)
    client.force_login(world.pa)
    url = reverse("reports:spend-purchases")
    # the other agency's purchases are neither listed nor named
    response = client.get(url, {"per": "opd", "kunci": world.b.agency.pk})
    assert response.status_code == 404
    mine = client.get(reverse("reports:spend"), {"per": "opd"})
    assert [row.key for row in mine.context["page"]] == [str(world.agency.pk)]
    assert world.b.agency.name not in mine.content.decode()
    everything = client.get(url)
    assert {p.agency for p in everything.context["page"]} == {world.agency.name}


@pytest.mark.parametrize(
    "query",
    [
        {"per": "opd", "kunci": "abc"},
        {"per": "bulan", "kunci": "13"},
        {"per": "skala", "kunci": "raksasa"},
        {"per": "kategori", "kunci": "0000"},
        {"per": "entah", "kunci": "1"},
        {"per": "opd"},
    ],
)
def test_an_unknown_row_is_not_found(world, client, query):
    client.force_login(world.auditor)
    assert client.get(reverse("reports:spend-purchases"), query).status_code == 404


def test_the_other_reports_say_they_ignore_the_category(world, client):
    client.force_login(world.auditor)
    for name in ("reports:realisation", "reports:umkm"):
        response = client.get(reverse(name), {"kategori": world.sembako.pk})
        assert response.context["category_ignored"] and b"data-category-ignored" in response.content
    spend_page = client.get(reverse("reports:spend"), {"kategori": world.sembako.pk})
    assert not spend_page.context["category_ignored"] and b"data-category-note" in spend_page.content
    assert "kategori" in client.get(reverse("reports:spend"), {"kategori": "x"}).context["form"].errors


def test_each_paid_payment_is_split_once_and_at_the_next_read(world, client, settings):
    # given purchases split once
    _build(world)
    written = services.spend_shares_split()
    assert written == SpendShare.objects.count() > 0
    # then every paid payment's shares add up to its gross, and a second run adds nothing
    for payment in OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID):
        shares = SpendShare.objects.filter(payment=payment)
        assert sum(s.amount for s in shares) == payment.gross
        assert {s.line.order_id for s in shares} == {payment.order_id}
    assert services.spend_shares_split() == 0
    # when one more order is paid, then the page shows it at once: its goods split, nothing left over
    paid(world, items=[(world.gula, 2)])
    client.force_login(world.auditor)
    summary = client.get(reverse("reports:spend")).context["summary"]
    paid_gross = sum(p.gross for p in OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID))
    assert summary.total == paid_gross == summary.goods + summary.services
    assert summary.unallocated == 0
    # and the beat task does the same work
    assert (
        settings.CELERY_BEAT_SCHEDULE["reports-spend-shares-split"]["task"]
        == "reports.tasks.spend_shares_split"
    )
    paid(world.b, items=[(world.servis, 1)])
    assert tasks.spend_shares_split() == 1


def test_the_report_reads_split_payments_only_so_its_pages_split_first(world, client):
    # given paid purchases the report has not split yet
    _build(world)
    # then its reads do not see them, and the page (which splits first) does
    assert spend.spend_summary(agencies=Agency.objects.all(), f=_filter()).total == 0
    client.force_login(world.auditor)
    page = client.get(reverse("reports:spend"))
    paid_gross = sum(p.gross for p in OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID))
    assert page.context["summary"].total == paid_gross
    # and each payment's row holds its agency, seller, dates and its shares summed by kind
    for row in SpendPayment.objects.select_related("payment__requisition", "payment__order"):
        payment = row.payment
        assert (row.agency_id, row.unit_id, row.seller_id, row.paid_on, row.gross) == (
            payment.requisition.agency_id,
            payment.requisition.unit_id,
            payment.order.seller_id,
            payment.paid_on,
            payment.gross,
        )
        assert row.approved_on == timezone.localtime(payment.requisition.date_decided).date()
        assert row.received_on == max(g.received_on for g in GoodsReceipt.objects.filter(order=payment.order))
        kinds = defaultdict(Decimal)
        for share in SpendShare.objects.filter(payment=payment):
            kinds[share.kind] += share.amount
        assert (row.goods, row.catering, row.printing, row.other_service) == tuple(
            kinds[k]
            for k in (SupplyKind.GOODS, SupplyKind.CATERING, SupplyKind.PRINTING, SupplyKind.OTHER_SERVICE)
        )
