"""The seller exposure and red flag pages and their exports: figures recomputed from the raw rows,
links to the purchases' trails, a PA/KPA of agency B never shown agency A's purchases, queries
bounded whatever the rows.

Two worlds: in one, agencies A and B pay sellers and residents shop (exposure); in the other,
each red flag fires at least once (split, price, pair and band and the year-end spike in A;
price and paid before receipt in B).
"""

import csv
import io
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model

from orders.statuses import OrderStatus
from peken.money import rupiah_format
from procurement.models import GoodsReceipt, OfficialPayment, Requisition, RequisitionLine
from procurement.statuses import OfficialPaymentStatus, RequisitionStatus, Role
from reports import list_tables, red_flags, summaries, tasks
from reports.charts import level_bars, nice_top
from reports.forms import ReportFilter
from reports.models import ReportExport
from reports.services import materialized_views_refresh
from reports.statuses import ExportStatus
from reports.tables import DECIMAL, cell_text
from reports.views_red_flags import KINDS
from tests.factories import UserFactory, order_with_products
from tests.fulfilment_world import approved, fulfilment_world
from tests.procurement_factories import person_with_roles
from tests.reports_world import other_agency, paid, shop
from tests.test_reports_exports import pdf_text

Line = get_model("order", "Line")
Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
JAKARTA = ZoneInfo("Asia/Jakarta")
EXPOSURE, RED_FLAGS = reverse("reports:exposure"), reverse("reports:red-flags")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    settings.PEKEN_VALUE_BANDS = [10_000_000, 50_000_000, 200_000_000]
    world = fulfilment_world()
    world.line.ceiling = Decimal(5_000_000_000)
    world.line.save(update_fields=["ceiling"])
    for product in (world.beras, world.minyak, world.nasi):
        product.stockrecords.update(num_in_stock=100_000)
    for seller, kecamatan in ((world.ani, "Wonokromo"), (world.darto, "Gubeng")):
        seller.kecamatan = kecamatan
        seller.save(update_fields=["kecamatan"])
    world.b = other_agency(name="Dinas Pendidikan Uji", code="dispendik-uji")
    world.auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    world.shopper = UserFactory(email="siti@contoh.id", username="siti")
    return world


def _round(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _hhi(amounts) -> Decimal:
    total = sum(amounts)
    return _round(sum((Fraction(100) * Fraction(a) / Fraction(total)) ** 2 for a in amounts))


def _year():
    year = timezone.localdate().year
    return datetime(year, 1, 1).date(), datetime(year, 12, 31).date()


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- seller exposure ---


def _exposure_world(world):
    """A pays Ani and Darto twice; B pays Ani and a Rungkut shop; residents buy from Ani and Rungkut."""
    paid(world, items=[(world.beras, 30), (world.minyak, 10), (world.nasi, 40)])
    paid(world, items=[(world.beras, 4)])
    world.rungkut, world.kue = shop(name="Kue Rungkut", kecamatan="Rungkut", price=Decimal(20000))
    paid(world.b, items=[(world.beras, 2), (world.kue, 5)])
    order_with_products(user=world.shopper, products=[world.beras])
    order_with_products(user=world.shopper, products=[world.kue])
    order_with_products(user=world.shopper, products=[world.nasi], status=OrderStatus.CANCELLED)
    shop(name="Toko Sepi", kecamatan="Tambaksari")
    # residents' shopping is read from the daily summary, as beat's last refresh left it
    materialized_views_refresh()
    return world


def _more_exposure(world):
    """More sellers paid by both agencies, more residents, another idle kecamatan."""
    for n in range(6):
        _s, product = shop(name=f"Warung Ramai {n}", kecamatan="Sawahan", price=Decimal(10000 * (n + 1)))
        paid(world if n % 2 else world.b, items=[(product, 2 + n)])
        order_with_products(user=UserFactory(), products=[product])
    shop(name="Toko Diam", kecamatan="Bubutan")
    materialized_views_refresh()


def _paid(agency_ids=None):
    start, end = _year()
    rows = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).values_list(
        "requisition__agency_id", "order__seller_id", "gross", "paid_on"
    )
    return [
        (a, s, g) for a, s, g, on in rows if start <= on <= end and (agency_ids is None or a in agency_ids)
    ]


def _expected_exposure(agency_ids):
    """The page's figures summed here from the raw payments, orders and lines."""
    per_agency, city = defaultdict(lambda: defaultdict(Decimal)), defaultdict(Decimal)
    for agency, seller, gross in _paid(agency_ids):
        per_agency[agency][seller] += gross
        city[seller] += gross
    total = sum(city.values())
    ranked = sorted(city.items(), key=lambda i: (-i[1], i[0]))[:10]
    start, end = _year()
    orders = [
        o
        for o in Order.objects.exclude(status__in=[OrderStatus.REJECTED, OrderStatus.CANCELLED])
        if start <= timezone.localtime(o.date_placed).date() <= end
    ]
    references = set(Requisition.objects.filter(agency_id__in=agency_ids).values_list("reference", flat=True))
    official = {o.seller_id for o in orders if o.user_id is None and o.checkout_reference in references}
    personal = {o.seller_id for o in orders if o.user_id is not None}
    active = set(Partner.objects.filter(status="aktif").values_list("pk", flat=True))
    return SimpleNamespace(
        per_agency=per_agency,
        total=total,
        ranked=ranked,
        top_percent=_round(Fraction(sum(a for _s, a in ranked)) * 100 / Fraction(total)),
        city_hhi=_hhi(list(city.values())),
        dual=len(official & personal & active),
        busy={o.seller.kecamatan for o in orders},
    )


def test_exposure_page_figures_are_the_raw_rows_summed(world, client, settings):
    # given two agencies' payments, residents' orders and an idle kecamatan
    _exposure_world(world)
    settings.PEKEN_OFFICIAL_SELLER_CAP = 1_200_000
    settings.PEKEN_SELLER_CAP_NEAR_PERCENT = 80
    client.force_login(world.auditor)

    # when the auditor opens the exposure report of the year
    response = client.get(EXPOSURE)
    body = _body(response)
    context = response.context

    # then the both-channels count, the top sellers and the concentration are the raw rows summed
    expected = _expected_exposure({world.agency.pk, world.b.agency.pk})
    assert context["dual"] == expected.dual == 2  # Ani and the Rungkut shop
    top = context["top"]
    assert [(s.seller_id, s.amount) for s in top.sellers] == expected.ranked
    assert [s.share_percent for s in top.sellers] == [
        _round(Fraction(a) * 100 / Fraction(expected.total)) for _s, a in expected.ranked
    ]
    assert (top.total, top.share_percent) == (expected.total, expected.top_percent)
    concentration = context["concentration"]
    assert concentration.city == expected.city_hhi and concentration.city_total == expected.total
    rows = {row["agency"].pk: row for row in context["page"]}
    assert set(rows) == {world.agency.pk, world.b.agency.pk}
    for agency, sellers in expected.per_agency.items():
        assert rows[agency]["hhi"] == _hhi(list(sellers.values()))
        assert (rows[agency]["total"], rows[agency]["sellers"]) == (sum(sellers.values()), len(sellers))
    # the most concentrated agency first (A paid two sellers, B two, each unevenly)
    hhis = [row["hhi"] for row in context["page"]]
    assert hhis == sorted(hhis, reverse=True)

    # and the sellers at or near the cap are the approved lines summed (Ani over 1.2 million, Darto 83%)
    lines = RequisitionLine.objects.filter(requisition__status=RequisitionStatus.APPROVED)
    received = defaultdict(Decimal)
    for line in lines:
        received[line.seller_id] += line.unit_price * line.quantity
    near = [(s.seller_id, s.received, s.at_cap) for s in context["cap_table"].page]
    assert near == sorted(
        [(s, r, r >= 1_200_000) for s, r in received.items() if r >= 960_000], key=lambda i: -i[1]
    )
    assert near[0][0] == world.ani.pk and near[0][2] and near[1][0] == world.darto.pk

    # and the idle kecamatan are those of active sellers none of whom had an order
    idle = [(k.kecamatan, k.active_sellers) for k in context["idle"]]
    assert idle == [("Tambaksari", 1)]
    assert "Tambaksari" not in expected.busy

    # and residents' shopping is summed per kecamatan, category and month, naming no one
    cells = defaultdict(Decimal)
    for line in Line.objects.filter(order__user__isnull=False).exclude(order__status=OrderStatus.CANCELLED):
        cells[line.order.seller.kecamatan] += line.line_price_incl_tax
    assert {row.kecamatan: row.amount for row in context["personal_table"].page} == dict(cells)
    assert context["personal_total"] == sum(cells.values())
    assert world.shopper.email not in body and "siti" not in body

    # and the page draws both charts as SVG, one bar per top seller and per agency
    assert body.count("<svg") == 2
    assert len(context["top_chart"]["bars"]) == len(expected.ranked)
    assert len(context["hhi_chart"]["bars"]) == 2
    assert 'data-chart="top"' in body and 'data-chart="hhi"' in body
    assert world.ani.name in body and world.b.agency.name in body


def test_a_pa_of_agency_b_sees_only_agency_b_spend(world, client):
    # given the exposure world and agency B's PA/KPA
    _exposure_world(world)
    client.force_login(world.b.pa)

    # when they open the exposure report and its per-agency export
    response = client.get(EXPOSURE)
    body = _body(response)
    export = client.get(reverse("reports:exposure-export", args=["csv"]), {"bagian": "opd"})

    # then every figure of official spend is agency B's alone
    expected = _expected_exposure({world.b.agency.pk})
    assert [row["agency"].pk for row in response.context["page"]] == [world.b.agency.pk]
    assert [(s.seller_id, s.amount) for s in response.context["top"].sellers] == expected.ranked
    assert world.darto.pk not in {s.seller_id for s in response.context["top"].sellers}  # A's caterer
    assert response.context["concentration"].city_total == expected.total
    assert response.context["dual"] == expected.dual
    assert world.agency.name not in body
    text = export.content.decode("utf-8-sig")
    assert world.b.agency.name in text and world.agency.name not in text
    # and picking agency A in the filter bar is refused
    refused = client.get(EXPOSURE, {"opd": world.agency.code})
    assert "opd" in refused.context["form"].errors and refused.context["filter"] is None


def test_exposure_exports_hold_each_section(world, client):
    _exposure_world(world)
    client.force_login(world.auditor)
    url = lambda fmt: reverse("reports:exposure-export", args=[fmt])  # noqa: E731
    expected = _expected_exposure({world.agency.pk, world.b.agency.pk})

    # the concentration per agency, as XLSX: one row per agency and the agencies together
    sheet = load_workbook(BytesIO(client.get(url("xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    by_name = {row[0]: row for row in rows[1:]}
    a = expected.per_agency[world.agency.pk]
    assert by_name[world.agency.name][1:] == (float(_hhi(list(a.values()))), float(sum(a.values())), len(a))
    assert rows[-1][1:3] == (float(expected.city_hhi), float(expected.total))

    # the top sellers as CSV, with their share
    reader = list(
        csv.reader(io.StringIO(client.get(url("csv"), {"bagian": "teratas"}).content.decode("utf-8-sig")))
    )
    names = dict(Partner.objects.values_list("pk", "name"))
    assert [(r[1], Decimal(r[2])) for r in reader[1 : 1 + len(expected.ranked)]] == [
        (names[s], a) for s, a in expected.ranked
    ]
    assert Decimal(reader[1 + len(expected.ranked)][3]) == expected.top_percent

    # residents' shopping, the idle kecamatan and the cap each their own file; nothing names a person
    personal = client.get(url("csv"), {"bagian": "warga"}).content.decode("utf-8-sig")
    assert "Wonokromo" in personal and "siti" not in personal
    assert "Tambaksari" in client.get(url("csv"), {"bagian": "kecamatan"}).content.decode("utf-8-sig")
    assert client.get(url("csv"), {"bagian": "batas"}).status_code == 200
    assert client.get(url("csv"), {"bagian": "rahasia"}).status_code == 404
    assert client.get(url("ods")).status_code == 404


# --- red flags ---


def _on(day: int, month: int) -> datetime:
    return datetime.combine(datetime(timezone.localdate().year, month, day).date(), time(10), tzinfo=JAKARTA)


def _decided(requisition, when: datetime):
    Requisition.objects.filter(pk=requisition.pk).update(date_decided=when)


def _flags_world(world):
    """Every kind of flag once: five of them in agency A, the price and the early payment in B."""
    _lain, world.lain = shop(name="Toko Lain", price=Decimal(30000))
    # A buys from Ani four times within the window (6,000,000 three times, then 9,750,000):
    # a split purchase, a frequent pair (4 against a median of 1) and one just under 10,000,000
    split = [approved(world, items=[(world.beras, 80)]) for _ in range(3)]
    under = approved(world, items=[(world.beras, 130)])
    darto = approved(world, items=[(world.nasi, 2)])
    other = approved(world, items=[(world.lain, 1)])
    # B pays Darto, but its handover is dated after the payment
    early = paid(world.b, items=[(world.nasi, 3)])
    GoodsReceipt.objects.filter(order=early.orders[world.darto.pk]).update(
        received_on=timezone.localdate() + timedelta(days=1)
    )
    # B buys rice at twice the city's median
    world.beras.stockrecords.update(price=Decimal(150000))
    dear = approved(world.b, items=[(world.beras, 2)])
    # A approves three of its six in the year's last four weeks; B spreads its two
    for requisition, when in (
        (split[0], _on(10, 3)),
        (split[1], _on(10, 6)),
        (darto, _on(10, 9)),
        (under, _on(15, 12)),
        (other, _on(20, 12)),
        (split[2], _on(28, 12)),
        (early.requisition, _on(15, 2)),
        (dear, _on(15, 8)),
    ):
        _decided(requisition, when)
    return SimpleNamespace(
        a_refs={r.reference for r in [*split, under, darto, other]},
        b_refs={early.requisition.reference, dear.reference},
        expected={
            "pecah": [[r.reference for r in [*split, under]]],
            "harga": [[dear.reference]],
            "pasangan": [[r.reference for r in [*split, under]]],
            "ambang": [[under.reference]],
            "akhir-tahun": [[under.reference], [other.reference], [split[2].reference]],
            "bayar-dulu": [[early.requisition.reference]],
        },
    )


def _more_flags(world):
    """A second flag of most kinds, with other sellers: more rows, the same queries."""
    for n in range(2):
        _s, product = shop(name=f"Toko Ramai {n}", price=Decimal(60000))
        product.stockrecords.update(num_in_stock=100_000)
        for _ in range(3):
            approved(world.b, items=[(product, 100)])  # 6,000,000 each: split, and 3 times the same pair
    late = paid(world.b, items=[(world.nasi, 2), (world.minyak, 1)])
    GoodsReceipt.objects.filter(order__in=late.orders.values()).update(
        received_on=timezone.localdate() + timedelta(days=2)
    )
    approved(world.b, items=[(world.beras, 1)])  # dear too
    approved(world.b, items=[(world.minyak, 270)])  # 9,720,000: just under the band
    world.minyak.stockrecords.update(price=Decimal(80000))
    approved(world.b, items=[(world.minyak, 1)])  # over twice the oil's median


def _shown(response, kind: str) -> list[list[str]]:
    """The references each row of the kind's table links to, in the table's order."""
    shown = []
    for row in response.context["page"]:
        if kind in ("pecah", "pasangan"):
            shown.append([p.reference for p in row["flag"].purchases])
        elif kind == "akhir-tahun":
            shown.append([row["purchase"].reference])
        else:
            shown.append([row["flag"].reference])
    return shown


def test_each_red_flag_lists_its_purchases_with_links_to_their_trails(world, client):
    # given a world in which each kind of flag fires once (three purchases behind the spike)
    flags = _flags_world(world)
    client.force_login(world.auditor)

    for kind in KINDS:
        # when the auditor opens the kind's tab
        response = client.get(RED_FLAGS, {"jenis": kind.slug})
        body = _body(response)

        # then every kind is counted at the top
        counts = {k.slug: n for k, n in response.context["counts"]}
        assert counts == {
            "pecah": 1,
            "harga": 1,
            "pasangan": 1,
            "ambang": 1,
            "akhir-tahun": 1,
            "bayar-dulu": 1,
        }
        assert f'data-kind-count="{kind.slug}">1<' in body
        # and the tab lists the purchases behind its flag, each linked to its trail
        assert sorted(_shown(response, kind.slug)) == sorted(flags.expected[kind.slug]), kind.slug
        for references in flags.expected[kind.slug]:
            for reference in references:
                link = reverse("procurement:audit-detail", args=[reference])
                assert f'href="{link}"' in body, (kind.slug, reference)

    # and the figures behind the flags are shown with the setting that made them
    price = client.get(RED_FLAGS, {"jenis": "harga"})
    row = price.context["page"][0]
    assert (row["flag"].unit_price, row["flag"].median, row["ratio"]) == (Decimal(150000), Decimal(75000), 2)
    assert row["agency"] == world.b.agency.name and row["seller"] == world.ani.name
    assert "1,5 kali median" in _body(price)
    pair = client.get(RED_FLAGS, {"jenis": "pasangan"}).context["page"][0]
    assert (pair["count"], pair["flag"].agency_median, pair["requester"]) == (4, 1, "Rina Uji")
    band = client.get(RED_FLAGS, {"jenis": "ambang"}).context["page"][0]
    assert (band["flag"].amount, band["gap"]) == (Decimal(9_750_000), Decimal(250_000))
    split = client.get(RED_FLAGS, {"jenis": "pecah"}).context["page"][0]
    assert (split["flag"].total, split["flag"].band) == (Decimal(27_750_000), 10_000_000)
    spike = client.get(RED_FLAGS, {"jenis": "akhir-tahun"}).context["spikes"]
    assert [(s["flag"].year_count, s["flag"].last_weeks_count) for s in spike] == [(6, 3)]
    early = client.get(RED_FLAGS, {"jenis": "bayar-dulu"}).context["page"][0]
    assert early["days"] == 1 and early["seller"] == world.darto.name


def test_a_setting_moves_the_price_flag_and_the_page_says_so(world, client, settings):
    _flags_world(world)
    client.force_login(world.auditor)
    settings.PEKEN_FLAG_PRICE_FACTOR = "2"
    response = client.get(RED_FLAGS, {"jenis": "harga"})
    assert list(response.context["page"]) == [] and "2 kali median" in _body(response)


def test_a_pa_of_agency_b_never_sees_agency_a_purchases(world, client):
    # given the flags world and agency B's PA/KPA
    flags = _flags_world(world)
    client.force_login(world.b.pa)

    for kind in KINDS:
        # when they open every tab and its export
        body = _body(client.get(RED_FLAGS, {"jenis": kind.slug}))
        export = client.get(reverse("reports:red-flags-export", args=["csv"]), {"jenis": kind.slug})
        text = export.content.decode("utf-8-sig")
        # then none of agency A's purchases, nor its name, is shown or exported
        for reference in flags.a_refs:
            assert reference not in body and reference not in text, (kind.slug, reference)
        assert world.agency.name not in body and world.agency.name not in text
    # and B's own flags are there, their trails open to B's PA/KPA, A's not
    counts = {k.slug: n for k, n in client.get(RED_FLAGS).context["counts"]}
    assert counts == {"pecah": 0, "harga": 1, "pasangan": 0, "ambang": 0, "akhir-tahun": 0, "bayar-dulu": 1}
    for reference in flags.b_refs:
        assert client.get(reverse("procurement:audit-detail", args=[reference])).status_code == 200
    a_reference = next(iter(flags.a_refs))
    assert client.get(reverse("procurement:audit-detail", args=[a_reference])).status_code == 404


def test_red_flag_exports_list_one_purchase_a_row_with_its_trail(world, client, settings):
    flags = _flags_world(world)
    client.force_login(world.auditor)
    url = reverse("reports:red-flags-export", args=["xlsx"])

    # the split purchase: its four purchases, each with the group's figures and its trail's address
    site = f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}"
    sheet = load_workbook(BytesIO(client.get(url, {"jenis": "pecah"}).content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[5] for r in rows] == flags.expected["pecah"][0]
    assert {(r[1], r[2], r[3], r[4]) for r in rows} == {
        (world.agency.name, world.ani.name, 10_000_000, 27_750_000)
    }
    for row in rows:
        assert row[6] == site + reverse("procurement:audit-detail", args=[row[5]])

    # the year-end spike: the three purchases of the last weeks, with the day each was approved
    sheet = load_workbook(BytesIO(client.get(url, {"jenis": "akhir-tahun"}).content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[5], r[6].date() if hasattr(r[6], "date") else r[6]) for r in rows] == [
        (ref, _on(day, 12).date())
        for ref, day in zip([refs[0] for refs in flags.expected["akhir-tahun"]], (15, 20, 28), strict=True)
    ]
    # the price flag as CSV; an unknown kind is the first one
    text = client.get(url.replace("xlsx", "csv"), {"jenis": "harga"}).content.decode("utf-8-sig")
    line = list(csv.reader(io.StringIO(text)))[1]
    assert line[0] == flags.expected["harga"][0][0] and line[3] == world.beras.title
    assert [Decimal(v) for v in line[4:7]] == [150000, 75000, 2]
    unknown = client.get(url.replace("xlsx", "csv"), {"jenis": "tidak-ada"})
    assert unknown["Content-Disposition"].endswith(f'pecah-{timezone.localdate().year}.csv"')


def test_flag_tables_sort_and_page(world, client, monkeypatch):
    # given the flags world and more, and pages of one row
    _flags_world(world)
    _more_flags(world)
    client.force_login(world.auditor)
    # when the price tab is sorted by price, both ways, then the rows follow
    up = client.get(RED_FLAGS, {"jenis": "harga", "sort": "price"})
    prices = [row["flag"].unit_price for row in up.context["page"]]
    assert len(prices) >= 2 and prices == sorted(prices)
    down = client.get(RED_FLAGS, {"jenis": "harga", "sort": "-price"})
    assert [row["flag"].unit_price for row in down.context["page"]] == sorted(prices, reverse=True)
    assert up.context["sorts"]["price"] == "?jenis=harga&sort=-price"
    # and an unknown sort falls back to the kind's own order
    assert client.get(RED_FLAGS, {"jenis": "harga", "sort": "x; drop"}).context["sort"] == "-ratio"
    # when a page holds one row, then the split tab pages through its flags, keeping kind and sort
    monkeypatch.setattr(list_tables, "PAGE_SIZE", 1)
    first = client.get(RED_FLAGS, {"jenis": "pecah", "sort": "seller"})
    assert first.context["page"].paginator.num_pages == first.context["page"].paginator.count >= 2
    assert "?jenis=pecah&amp;sort=seller&amp;halaman=2" in _body(first)
    second = client.get(RED_FLAGS, {"jenis": "pecah", "sort": "seller", "halaman": 2})
    assert _shown(second, "pecah") != _shown(first, "pecah")


def _counted(client, urls) -> dict[str, int]:
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries.captured_queries)
    return counts


def test_red_flag_queries_do_not_grow_with_the_rows(world, client):
    # given a world in which every kind fires once, each tab's and the export's query count
    _flags_world(world)
    client.force_login(world.auditor)
    urls = [f"{RED_FLAGS}?jenis={kind.slug}" for kind in KINDS]
    urls += [f"{reverse('reports:red-flags-export', args=['csv'])}?jenis={kind.slug}" for kind in KINDS]
    few = _counted(client, urls)
    before = client.get(urls[0]).context["counts"]

    # when more flags of most kinds appear, with other sellers and agencies
    _more_flags(world)
    after = client.get(urls[0]).context["counts"]
    assert all(n >= 1 for _k, n in before) and sum(n for _k, n in after) > sum(n for _k, n in before)

    # then no tab or export needs more queries than before
    grown = _counted(client, urls)
    assert {url: n for url, n in grown.items() if n > few[url]} == {}, few


def test_exposure_queries_do_not_grow_with_the_rows(world, client, django_assert_max_num_queries):
    # given two agencies' spend and residents' orders, the page's and each export's query count
    _exposure_world(world)
    client.force_login(world.auditor)
    export = reverse("reports:exposure-export", args=["csv"])
    urls = [
        EXPOSURE,
        *(f"{export}?bagian={section}" for section in ("opd", "teratas", "batas", "kecamatan", "warga")),
    ]
    few = _counted(client, urls)
    sellers = len(client.get(EXPOSURE).context["top"].sellers)

    # when more sellers are paid by both agencies and more residents shop
    _more_exposure(world)
    assert len(client.get(EXPOSURE).context["top"].sellers) > sellers

    # then no page needs more queries than before
    for url, count in few.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200, url


def test_a_bad_filter_shows_its_error_and_no_figures(world, client):
    client.force_login(world.auditor)
    for url in (EXPOSURE, RED_FLAGS):
        response = client.get(url, {"tahun": "dua ribu", "unit": "1"})
        body = _body(response)
        # then the year is refused, no figure is shown, and fields these reports do not read are not offered
        assert "tahun" in response.context["form"].errors and response.context["filter"] is None
        assert "data-filter-errors" in body and "page" not in response.context
        assert set(response.context["form"].fields) == {"tahun", "bulan", "opd"}


def test_chart_scales_end_on_a_round_number():
    assert [nice_top(v) for v in (0, Decimal("0.3"), Decimal("3.2"), 7, 10, Decimal("12.5"), 26, 2499)] == [
        1,
        Decimal("0.5"),
        5,
        10,
        10,
        20,
        50,
        2500,
    ]
    chart = level_bars([("Toko A", Decimal(30), "30%"), ("Toko B", None, "-")], top=Decimal(40))
    assert [bar.width for bar in chart["bars"]] == [270.0, 0.0]
    assert [label for _x, label in chart["ticks"]] == ["10", "20", "30", "40"]


def test_the_city_reading_narrowed_is_what_the_selector_finds_for_an_agency(world):
    # given the flags world and more, read once for the whole city
    _flags_world(world)
    _more_flags(world)
    f = ReportFilter(year=timezone.localdate().year)
    start, end = f.bounds()
    for agency_ids in ([world.agency.pk], [world.b.agency.pk]):
        asked = {
            "pecah": red_flags.split_purchases(start=start, end=end, agency_ids=agency_ids),
            "harga": red_flags.price_outliers(start=start, end=end, agency_ids=agency_ids),
            "pasangan": red_flags.frequent_pairs(start=start, end=end, agency_ids=agency_ids),
            "ambang": red_flags.just_under_band(start=start, end=end, agency_ids=agency_ids),
            "akhir-tahun": red_flags.year_end_spike(fiscal_year=f.year, agency_ids=agency_ids),
            "bayar-dulu": red_flags.paid_before_receipt(start=start, end=end, agency_ids=agency_ids),
        }
        # then narrowing the city's reading to the agency gives the agency's own flags, in order
        for kind, flags in asked.items():
            city = summaries.flags_city(kind=kind, f=f).rows
            assert summaries.narrowed(city, agency_ids) == flags, kind
    assert any(summaries.flags_city(kind=kind, f=f).rows for kind in asked)


@pytest.fixture
def kept(settings):
    settings.PEKEN_REPORT_SUMMARY_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_readings_are_kept_until_the_refresh(world, client, kept, settings):
    # given the flags world, read once by the page
    _flags_world(world)
    client.force_login(world.auditor)
    url = f"{RED_FLAGS}?jenis=ambang"
    with CaptureQueriesContext(connection) as first:
        assert len(client.get(url).context["page"]) == 1

    # when another purchase lands just under a band, then the kept reading still shows one, unread
    approved(world, items=[(world.minyak, 270)])
    with CaptureQueriesContext(connection) as again:
        assert len(client.get(url).context["page"]) == 1
    assert len(again.captured_queries) < len(first.captured_queries)
    assert not any("percentile_cont" in q["sql"] for q in again.captured_queries)

    # and after beat's refresh (every ten minutes) the page shows both
    schedule = settings.CELERY_BEAT_SCHEDULE["reports-summaries-refresh"]
    assert schedule == {"task": "reports.tasks.summaries_refresh", "schedule": 600.0}
    assert tasks.summaries_refresh() == 2 * 6 - 1 + 2 + 1
    assert len(client.get(url).context["page"]) == 2
    # and the other tabs count from what the refresh kept, as a fresh reading would
    counts = {k.slug: n for k, n in client.get(RED_FLAGS).context["counts"]}
    assert counts["ambang"] == 2 and counts["pecah"] == counts["harga"] == counts["bayar-dulu"] == 1
    # and a changed threshold is read afresh, not answered from the kept reading
    settings.PEKEN_FLAG_BAND_WITHIN_PERCENT = "1"
    assert len(client.get(url).context["page"]) == 0


def test_the_pdfs_write_an_index_and_a_multiple_as_numbers_and_amounts_as_rupiah(world, client):
    # given both worlds, the auditor downloads the concentration and the price flags as PDF
    _exposure_world(world)
    flags = _flags_world(world)
    client.force_login(world.auditor)
    exposure_pdf = client.get(reverse("reports:exposure-export", args=["pdf"]), {"bagian": "opd"})
    price_pdf = client.get(reverse("reports:red-flags-export", args=["pdf"]), {"jenis": "harga"})

    # then each agency's row holds its index as a number and its spend in rupiah
    text = pdf_text(exposure_pdf.content)
    assert "Paparan penjual: Konsentrasi belanja per OPD" in text
    expected = _expected_exposure({world.agency.pk, world.b.agency.pk})
    for sellers in expected.per_agency.values():
        hhi = _hhi(list(sellers.values()))
        row = next(r for r in text.splitlines() if rupiah_format(sum(sellers.values())) in r)
        assert cell_text(hhi, DECIMAL) in row and rupiah_format(hhi) not in row
    # and the flagged line's price and median in rupiah, its multiple of the median as a number
    text = pdf_text(price_pdf.content)
    row = next(r for r in text.splitlines() if flags.expected["harga"][0][0] in r)
    assert "Rp150.000" in row and "Rp75.000" in row and " 2 " in f" {row} "
    assert "Tanda bahaya: Harga jauh di atas median" in text


def test_a_large_flag_export_is_built_by_the_worker_as_the_page_would_write_it(
    world, client, settings, django_capture_on_commit_callbacks
):
    # given the flags world and exports of more than three rows going to a worker
    flags = _flags_world(world)
    settings.PEKEN_REPORT_BACKGROUND_ROWS = 3
    client.force_login(world.auditor)
    url = reverse("reports:red-flags-export", args=["csv"])

    # when the auditor asks for the split purchase's four rows
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"jenis": "pecah"})

    # then the worker built it, with every purchase and its trail's address, as the request would
    assert response.status_code == 302 and response.url == reverse("reports:exports")
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.DONE and export.file_name.startswith("tanda-bahaya-pecah-")
    built = b"".join(client.get(reverse("reports:export-download", args=[export.pk])).streaming_content)
    settings.PEKEN_REPORT_BACKGROUND_ROWS = 10**6
    assert built == client.get(url, {"jenis": "pecah"}).content
    text = built.decode("utf-8-sig")
    for reference in flags.expected["pecah"][0]:
        assert reverse("procurement:audit-detail", args=[reference]) in text
