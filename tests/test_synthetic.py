"""Synthetic benchmark data: bulk, deterministic, and only adds what is missing."""

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
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
