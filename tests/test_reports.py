"""Spending reports: every figure recomputed from the raw rows, bounded queries, the filter bar.

Purchases are built through the services (approval, receipt, payment); the test then sums the
payments, commitments and budget lines itself in Python and compares with the report exactly.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from procurement.models import Agency, BudgetCommitment, BudgetLine, OfficialPayment
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record
from procurement.statuses import CommitmentStatus, OfficialPaymentStatus, PaymentMethod, Role
from reports import selectors
from reports.access import report_agencies
from reports.forms import ReportFilter
from sellers.abstract_models import UmkmScale
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, UnitFactory, person_with_roles


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    settings.PEKEN_UMKM_SHARE_TARGET_PERCENT = 40
    world = fulfilment_world()
    world.auditor = person_with_roles(agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.uji")
    # Bu Ani is a micro business in Wonokromo; Pak Darto's catering is medium-sized, in Gubeng
    world.ani.umkm_scale, world.ani.kecamatan = UmkmScale.MICRO, "Wonokromo"
    world.ani.save(update_fields=["umkm_scale", "kecamatan"])
    world.darto.umkm_scale, world.darto.kecamatan = UmkmScale.MEDIUM, "Gubeng"
    world.darto.save(update_fields=["umkm_scale", "kecamatan"])
    # a second agency with a budget line and nothing bought yet
    world.other = AgencyFactory(name="Dinas Pendidikan Uji", code="dispendik-uji")
    world.other_line = BudgetLineFactory(agency=world.other, ceiling=Decimal("90000000"))
    return world


def purchase(world, *, pay=("ani", "darto")):
    """A requisition of both shops, everything received; the orders of the shops in ``pay`` paid today."""
    bought = delivered(world, items=[(world.beras, 2), (world.minyak, 1), (world.nasi, 3)])
    today = timezone.localdate()
    for order in bought.orders.values():
        lines = {line.pk: ReceivedLine(line.quantity, line.quantity, "") for line in order.lines.all()}
        goods_receipt_record(order=order, actor=world.ppk, received_on=today, lines=lines)
        shop = "ani" if order.seller_id == world.ani.pk else "darto"
        if shop in pay:
            official_payment_record(
                order=order, actor=world.treasurer, method=PaymentMethod.UP_CASH, paid_on=today
            )
    return bought


def _filter(**kwargs) -> ReportFilter:
    return ReportFilter(year=timezone.localdate().year, **kwargs)


def _paid():
    return list(
        OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).select_related("order__seller")
    )


def _counts_for_share(seller) -> bool:
    return seller.umkm_scale in (UmkmScale.MICRO, UmkmScale.SMALL) or seller.is_cooperative


def test_budget_realisation_is_reproduced_from_the_raw_rows(world, client):
    # given three purchases: one paid in full, one paid only to Bu Ani, one not paid at all
    purchase(world)
    purchase(world, pay=("ani",))
    purchase(world, pay=())
    year = timezone.localdate().year
    # when the auditor opens the city, the agency and the budget line
    client.force_login(world.auditor)
    city = client.get(reverse("reports:realisation"))
    agency = client.get(reverse("reports:realisation-agency", args=[world.agency.code]))
    line_page = client.get(reverse("reports:realisation-line", args=[world.line.pk]))
    assert city.status_code == agency.status_code == line_page.status_code == 200
    # then every figure is what the raw rows add up to
    paid = _paid()
    for row in city.context["page"]:
        lines = [
            line for line in BudgetLine.objects.all() if line.agency_id == row.pk and line.fiscal_year == year
        ]
        live = [
            c
            for c in BudgetCommitment.objects.select_related("budget_line")
            if c.budget_line.agency_id == row.pk and c.status == CommitmentStatus.LIVE
        ]
        realised = sum((p.gross for p in paid if p.requisition.agency_id == row.pk), Decimal(0))
        ceiling = sum((line.ceiling for line in lines), Decimal(0))
        assert row.ceiling == ceiling
        assert row.committed == sum((c.amount for c in live), Decimal(0))
        assert row.realised == realised
        assert row.available == ceiling - row.committed - realised
        assert row.percent == (float(realised) * 100.0 / float(ceiling) if ceiling else None)
    assert city.context["totals"]["realised"] == sum((p.gross for p in paid), Decimal(0))
    assert city.context["totals"]["ceiling"] == sum(line.ceiling for line in BudgetLine.objects.all())
    assert [r.realised for r in agency.context["page"]] == [sum((p.gross for p in paid), Decimal(0))]
    # the bars: paid gross per month of payment
    by_month = {}
    for p in paid:
        by_month[p.paid_on.month] = by_month.get(p.paid_on.month, Decimal(0)) + p.gross
    expected = [by_month.get(m, Decimal(0)) for m in range(1, 13)]
    assert selectors.realised_by_month(agencies=Agency.objects.all(), f=_filter()) == list(
        zip(range(1, 13), expected, strict=True)
    )
    assert len(city.context["chart"]["bars"]) == 12
    assert b"<svg" in city.content
    # and the line's purchases carry their commitment's remainder and realised
    rows = {r.reference: r for r in line_page.context["page"]}
    assert len(rows) == 3
    for commitment in BudgetCommitment.objects.select_related("requisition"):
        row = rows[commitment.requisition.reference]
        assert (row.committed, row.realised) == (commitment.amount, commitment.realised)
        assert row.realised == sum(
            (p.gross for p in paid if p.requisition_id == commitment.requisition_id), 0
        )
    assert reverse("procurement:audit-detail", args=[next(iter(rows))]).encode() in line_page.content


def test_umkm_share_is_reproduced_from_the_raw_rows(world, client):
    # given two purchases paid in full (Bu Ani micro, Pak Darto medium) and one paid only to Bu Ani
    purchase(world)
    purchase(world)
    purchase(world, pay=("ani",))
    today = timezone.localdate()
    # when the auditor opens the UMKM share of this month
    client.force_login(world.auditor)
    response = client.get(reverse("reports:umkm"), {"bulan": today.month})
    assert response.status_code == 200
    # then the agency's and the city's figures are the raw payments summed
    paid = _paid()
    umkm = sum((p.gross for p in paid if _counts_for_share(p.order.seller)), Decimal(0))
    total = sum((p.gross for p in paid), Decimal(0))
    assert 0 < umkm < total
    rows = list(response.context["page"])
    # Bu Ani's share is above 40%, so the agency is not marked below, and comes before the one without spend
    assert umkm * 100 / total >= 40
    assert [(r.code, r.rank) for r in rows] == [(world.agency.code, 1), (world.other.code, 2)]
    mine = next(r for r in rows if r.pk == world.agency.pk)
    assert (mine.ytd_umkm, mine.ytd_total, mine.month_umkm, mine.month_total) == (umkm, total, umkm, total)
    assert mine.ytd_percent == float(umkm) * 100.0 / float(total)
    other = next(r for r in rows if r.pk == world.other.pk)
    assert (other.ytd_total, other.ytd_percent) == (0, None)
    city = response.context["city"]
    assert (city["ytd"].umkm, city["ytd"].total) == (umkm, total)
    month = city["months"][today.month - 1]
    assert (month.umkm, month.total) == (umkm, total)
    assert all(m.total == 0 for n, m in enumerate(city["months"], start=1) if n != today.month)
    assert [m.label for m in city["months"]][:2] == ["Januari", "Februari"]


def test_agencies_below_the_target_come_first(world, settings):
    # given one purchase: Bu Ani's micro share of its gross
    purchase(world)
    share = selectors.umkm_share_agencies(agencies=Agency.objects.all(), f=_filter()).get(pk=world.agency.pk)
    assert share.ytd_percent is not None
    # when the target is above the agency's share, then it is listed first, marked below
    settings.PEKEN_UMKM_SHARE_TARGET_PERCENT = int(share.ytd_percent) + 1
    rows = list(selectors.umkm_share_agencies(agencies=Agency.objects.all(), f=_filter()))
    assert [r.pk for r in rows] == [world.agency.pk, world.other.pk] and rows[0].rank == 0
    # and when the target is below it, the agency is not marked below (but still before the one without spend)
    settings.PEKEN_UMKM_SHARE_TARGET_PERCENT = int(share.ytd_percent) - 1
    rows = list(selectors.umkm_share_agencies(agencies=Agency.objects.all(), f=_filter()))
    assert [(r.pk, r.rank) for r in rows] == [(world.agency.pk, 1), (world.other.pk, 2)]


def test_the_seller_filters_narrow_the_payments(world):
    purchase(world)
    paid = _paid()
    everything = Agency.objects.all()
    for f, keep in (
        (_filter(kecamatan="Wonokromo"), lambda s: s.kecamatan == "Wonokromo"),
        (_filter(scale=UmkmScale.MEDIUM), lambda s: s.umkm_scale == UmkmScale.MEDIUM),
        (_filter(scale="koperasi"), lambda s: s.is_cooperative),
    ):
        expected = sum((p.gross for p in paid if keep(p.order.seller)), Decimal(0))
        got = sum(
            (amount for _m, amount in selectors.realised_by_month(agencies=everything, f=f)), Decimal(0)
        )
        assert got == expected


PAGES = ("reports:realisation", "reports:umkm")


@pytest.mark.parametrize("name", PAGES)
def test_queries_do_not_grow_with_the_purchases(world, client, django_assert_max_num_queries, name):
    # given one requisition (two paid orders), the page's query count
    purchase(world)
    client.force_login(world.auditor)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    # when two more are paid (six paid orders), then the page needs no more queries
    for _n in range(2):
        purchase(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_agency_and_line_pages_have_bounded_queries(world, client, django_assert_max_num_queries):
    purchase(world)
    client.force_login(world.pa)
    urls = [
        reverse("reports:realisation-agency", args=[world.agency.code]),
        reverse("reports:realisation-line", args=[world.line.pk]),
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few.captured_queries))
    for _n in range(2):
        purchase(world)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query, field",
    [
        ({"tahun": "dua ribu"}, "tahun"),
        ({"bulan": "13"}, "bulan"),
        ({"opd": "tidak-ada"}, "opd"),
        ({"kecamatan": "Atlantis"}, "kecamatan"),
        ({"skala": "raksasa"}, "skala"),
    ],
)
def test_invalid_filter_input_is_shown_as_an_error(world, client, query, field):
    client.force_login(world.auditor)
    for name in PAGES:
        response = client.get(reverse(name), query)
        # then the page says what is wrong and shows no figures
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert b"data-filter-errors" in response.content
        assert response.context["filter"] is None
        assert "page" not in response.context


def test_a_unit_of_another_agency_is_refused(world, client):
    unit = UnitFactory(agency=world.other, name="Bidang SD")
    client.force_login(world.auditor)
    response = client.get(reverse("reports:realisation"), {"opd": world.agency.code, "unit": unit.pk})
    assert "unit" in response.context["form"].errors


def test_a_pa_reads_only_their_own_agency(world, client):
    # given the PA/KPA of the first agency
    assert list(report_agencies(user=world.pa)) == [world.agency]
    client.force_login(world.pa)
    # then the city view lists only their agency, and the other agency's pages are not found
    response = client.get(reverse("reports:realisation"))
    assert [a.pk for a in response.context["page"]] == [world.agency.pk]
    assert client.get(reverse("reports:realisation-agency", args=[world.other.code])).status_code == 404
    assert client.get(reverse("reports:realisation-line", args=[world.other_line.pk])).status_code == 404
    # nor can the filter bar pick it
    response = client.get(reverse("reports:umkm"), {"opd": world.other.code})
    assert "opd" in response.context["form"].errors
    # and a requester reads no report
    client.force_login(world.requester)
    assert client.get(reverse("reports:realisation")).status_code == 403


def test_exports_hold_the_report_figures(world, client):
    purchase(world)
    client.force_login(world.auditor)
    csv = client.get(reverse("reports:realisation-export", args=["csv"]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    line = BudgetLine.objects.get(pk=world.line.pk)
    assert f"{line.realised}" in text and world.agency.name in text
    xlsx = client.get(reverse("reports:umkm-export", args=["xlsx"]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    paid = _paid()
    umkm = sum((p.gross for p in paid if _counts_for_share(p.order.seller)), Decimal(0))
    assert values[world.agency.name][3] == umkm
    assert values[world.agency.name][4] == sum((p.gross for p in paid), Decimal(0))
    assert client.get(reverse("reports:umkm-export", args=["ods"])).status_code == 404


def test_columns_sort_and_long_lists_page(world, client, django_assert_max_num_queries):
    # given thirty more agencies, each with a budget line of a different ceiling
    for n in range(30):
        agency = AgencyFactory(name=f"Kecamatan Uji {n:02d}", code=f"kec-uji-{n:02d}")
        BudgetLineFactory(agency=agency, ceiling=Decimal(1000000 * (n + 1)))
    client.force_login(world.auditor)
    url = reverse("reports:realisation")
    # when sorted by ceiling, largest first, then the rows come in that order, 25 to a page
    with CaptureQueriesContext(connection) as one_page:
        first = client.get(url, {"sort": "-ceiling"})
    ceilings = [row.ceiling for row in first.context["page"]]
    assert len(ceilings) == 25 and ceilings == sorted(ceilings, reverse=True)
    assert ceilings[0] == max(line.ceiling for line in BudgetLine.objects.all())
    assert first.context["sorts"]["ceiling"].endswith("sort=ceiling")  # the next click sorts ascending
    with django_assert_max_num_queries(len(one_page.captured_queries)):
        second = client.get(url, {"sort": "-ceiling", "halaman": 2})
    assert len(second.context["page"]) == Agency.objects.count() - 25
    # and an unknown sort falls back to the agencies' names
    names = [row.name for row in client.get(url, {"sort": "drop table"}).context["page"]]
    assert names == sorted(names)


def test_paid_in_the_period_follows_the_filter_bar(world, client):
    # given one purchase paid in full and one paid only to Bu Ani (Wonokromo, micro)
    purchase(world)
    purchase(world, pay=("ani",))
    today = timezone.localdate()
    other_month = 1 if today.month != 1 else 2
    client.force_login(world.auditor)
    paid = _paid()
    for query, keep in (
        ({}, lambda p: True),
        ({"bulan": today.month}, lambda p: p.paid_on.month == today.month),
        ({"bulan": other_month}, lambda p: p.paid_on.month == other_month),
        ({"kecamatan": "Gubeng"}, lambda p: p.order.seller.kecamatan == "Gubeng"),
        ({"skala": UmkmScale.MICRO}, lambda p: p.order.seller.umkm_scale == UmkmScale.MICRO),
    ):
        # when the city and the agency are opened with that filter
        city = client.get(reverse("reports:realisation"), query)
        agency = client.get(reverse("reports:realisation-agency", args=[world.agency.code]), query)
        # then "paid in the period" is the kept payments' gross, per agency, line and in total
        expected = sum((p.gross for p in paid if keep(p)), Decimal(0))
        rows = {row.pk: row.paid for row in city.context["page"]}
        assert rows == {world.agency.pk: expected, world.other.pk: 0}, query
        assert city.context["totals"]["paid"] == expected
        assert [line.paid for line in agency.context["page"]] == [expected]
        assert agency.context["totals"]["paid"] == expected
        # while the budget's own figures do not move with the seller filters
        assert city.context["totals"]["realised"] == sum((p.gross for p in paid), Decimal(0))
    csv = client.get(reverse("reports:realisation-export", args=["csv"]), {"kecamatan": "Gubeng"})
    darto = sum((p.gross for p in paid if p.order.seller_id == world.darto.pk), Decimal(0))
    assert csv.content.decode("utf-8-sig").splitlines()[1].endswith(f",{darto}")


def test_an_agency_in_the_share_table_opens_its_own_months(world, client):
    # given a paid purchase, when the auditor follows the agency's name in the UMKM table
    purchase(world)
    client.force_login(world.auditor)
    page = client.get(reverse("reports:umkm"), {"skala": UmkmScale.MICRO})
    link = f"{reverse('reports:umkm')}?skala={UmkmScale.MICRO}&amp;opd={world.agency.code}"
    assert link in page.content.decode()
    response = client.get(reverse("reports:umkm"), {"skala": UmkmScale.MICRO, "opd": world.agency.code})
    # then only that agency is listed and the months are its own
    assert [row.pk for row in response.context["page"]] == [world.agency.pk]
    paid = [p for p in _paid() if p.order.seller.umkm_scale == UmkmScale.MICRO]
    assert response.context["city"]["ytd"].total == sum((p.gross for p in paid), Decimal(0))
