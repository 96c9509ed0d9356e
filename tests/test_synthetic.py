"""Synthetic benchmark data: bulk, deterministic, and only adds what is missing."""

import pytest
from django.core.management import call_command
from django.db.models import Sum
from oscar.core.loading import get_model

from peken.city import kecamatan_names
from procurement.models import BudgetCommitment, BudgetLine, OfficialPayment, Requisition
from procurement.statuses import CommitmentStatus, OfficialPaymentStatus
from sellers.abstract_models import UmkmScale

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Partner = get_model("partner", "Partner")
Order = get_model("order", "Order")
Line = get_model("order", "Line")


def catalogue_snapshot() -> list[tuple]:
    return list(Product.objects.order_by("upc").values_list("upc", "title", "stockrecords__price"))


@pytest.mark.django_db
def test_synthetic_data_is_bulk_deterministic_and_rerunnable(django_assert_max_num_queries):
    # given an empty database
    # when 1,500 products and 300 orders of 4 lines are made
    with django_assert_max_num_queries(400):  # 3,000+ rows in bulk, not one query per row
        call_command("peken_synthetic", sellers=12, products=1500, orders=300, lines_per_order=4, buyers=50)

    # then every product is listed, priced and stocked, and every order has its lines
    assert Product.objects.browsable().count() == 1500
    assert StockRecord.objects.filter(price__gt=0, num_in_stock__gt=0).count() == 1500
    assert Order.objects.count() == 300
    assert Line.objects.count() == 1200
    assert all(
        o.total_incl_tax == sum(line.line_price_incl_tax for line in o.lines.all())
        for o in Order.objects.prefetch_related("lines")[:20]
    )
    # and the shops have a kecamatan of the city and a scale, as the spending reports read them
    sellers = list(Partner.objects.all())
    assert len(sellers) == 12
    assert all(s.kecamatan in kecamatan_names() and s.umkm_scale in UmkmScale.values for s in sellers)
    assert len({s.kecamatan for s in sellers}) > 1 and len({s.umkm_scale for s in sellers}) > 1
    first = catalogue_snapshot()

    # when it runs again with the same arguments, nothing is added
    call_command("peken_synthetic", sellers=12, products=1500, orders=300, lines_per_order=4, buyers=50)
    assert catalogue_snapshot() == first
    assert Line.objects.count() == 1200

    # and the same seed on an empty catalogue gives the same products
    Line.objects.all().delete()
    Order.objects.all().delete()
    StockRecord.objects.all().delete()
    Product.objects.all().delete()
    call_command("peken_synthetic", sellers=12, products=1500, orders=300, lines_per_order=4, buyers=50)
    assert catalogue_snapshot() == first


@pytest.mark.django_db
def test_synthetic_official_purchases_keep_every_budget_identity(django_assert_max_num_queries):
    # given the synthetic catalogue
    # when 400 official purchases of 5 lines by 3 agencies are added, in bulk
    with django_assert_max_num_queries(600):
        call_command(
            "peken_synthetic",
            sellers=12,
            products=600,
            orders=20,
            buyers=10,
            agencies=3,
            requisitions=400,
            requisition_lines=5,
        )
    requisitions = Requisition.objects.filter(reference__startswith="SYN1-RQ-")
    assert requisitions.count() == 400
    assert Line.objects.filter(order__user__isnull=True).count() > 1000
    # then each budget line holds what its requisitions committed and spent, and adds up
    for line in BudgetLine.objects.filter(agency__code__startswith="syn1-opd-"):
        live = BudgetCommitment.objects.filter(budget_line=line, status=CommitmentStatus.LIVE)
        paid = OfficialPayment.objects.filter(
            requisition__budget_line=line, status=OfficialPaymentStatus.PAID
        )
        assert line.committed == (live.aggregate(s=Sum("amount"))["s"] or 0)
        assert line.realised == (paid.aggregate(s=Sum("gross"))["s"] or 0)
        assert line.available >= 0
    # and every payment's net and withheld add up to its gross, its withholdings to what it withheld
    for payment in OfficialPayment.objects.prefetch_related("withholdings")[:50]:
        assert payment.net + payment.withheld == payment.gross
        assert sum(w.amount for w in payment.withholdings.all()) == payment.withheld
    # and a second run adds nothing
    call_command(
        "peken_synthetic",
        sellers=12,
        products=600,
        orders=20,
        buyers=10,
        agencies=3,
        requisitions=400,
        requisition_lines=5,
    )
    assert requisitions.count() == 400
