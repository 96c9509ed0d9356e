"""Rekomendasi's cost, in-process: ranking a listing in a request versus reading it from the table.

Run on a database populated by ``manage.py peken_synthetic --products 100000``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peken_rank_bench .venv/bin/python bench/ranking.py

Prints, in ms (median of --repeat runs): the whole-listing ranking a cache miss
used to run in the request, the beat task's refresh of each listing, and the
page reads that replace the ranking, for a visitor and for buyers of a few
kecamatan. Also checks that the table's pages, joined up, are exactly the
order ranked in the request for those buyers. The figures are noisy on a
shared machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from catalogue_ext import selectors  # noqa: E402
from exposure import services  # noqa: E402
from exposure.selectors import MERGE_ORDER, merge_params, ranking_ctes, recommended_listing  # noqa: E402
from peken import city  # noqa: E402

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
RECOMMENDED = selectors.ProductSort.RECOMMENDED


def ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def ranked_in_request(listing, kecamatan: str | None) -> list[int]:
    """The whole-listing ranking as a request ran it on a cache miss, before the table."""
    ctes, params = ranking_ctes(listing.queryset, stock=listing.stock, buyer_kecamatan=kecamatan)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {ctes} SELECT id FROM slotted ORDER BY {MERGE_ORDER}", (*params, *merge_params())
        )
        return [row[0] for row in cursor.fetchall()]


def table_page(listing, kecamatan: str | None, offset: int, limit: int | None) -> list[int]:
    """The ids of a page as a request reads them (the products are then fetched, as before)."""
    page = recommended_listing(
        listing.queryset, stock=listing.stock, buyer_kecamatan=kecamatan, listing=listing.listing
    )
    return page.ranked_ids(offset=offset, limit=limit)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--spread-kecamatan",
        action="store_true",
        help="first give the synthetic shops (which have none) the city's kecamatan in turn",
    )
    args = parser.parse_args()
    repeat = args.repeat
    if args.spread_kecamatan:
        names = city.kecamatan_names()
        for index, pk in enumerate(Partner.objects.order_by("pk").values_list("pk", flat=True)):
            Partner.objects.filter(pk=pk).update(kecamatan=names[index % len(names)])

    category = max(Category.objects.all(), key=lambda c: selectors.product_list(category=c).count())
    catalogue = selectors.product_list(sort=RECOMMENDED)
    big = selectors.product_list(category=category, sort=RECOMMENDED)
    kecamatan = list(
        Partner.objects.exclude(kecamatan="")
        .values_list("kecamatan", flat=True)
        .distinct()
        .order_by("kecamatan")
    )[:3]
    print(
        f"catalogue: {catalogue.count()} products; largest category {category.name!r}: {big.count()} "
        f"products; buyers of {kecamatan}"
    )

    print("\nbefore: a cache miss ranked the whole listing in the request")
    for name, listing in (("catalogue", catalogue), ("category", big)):
        visitor = ms(lambda listing=listing: ranked_in_request(listing, None), repeat)
        buyer = ms(lambda listing=listing: ranked_in_request(listing, kecamatan[0]), repeat)
        print(f"  {name:9} visitor {visitor:7.1f}  buyer {buyer:7.1f}")

    print("\nafter: the beat task's refresh (off the request)")
    for name, listing in (("catalogue", catalogue), ("category", big)):
        cost = ms(
            lambda listing=listing: services.recommended_rank_write(
                listing=listing.listing, queryset=listing.queryset, stock=listing.stock
            ),
            repeat,
        )
        print(f"  {name:9} {cost:7.1f}")
    start = time.perf_counter()
    from catalogue_ext.services import recommended_listings_refresh

    listings = recommended_listings_refresh()
    seconds = time.perf_counter() - start
    print(f"  every listing ({listings}: the catalogue and each category) {seconds:.1f} s")

    print("\nafter: a page of 20 read from the table (the request's cost instead of the ranking)")
    for name, listing in (("catalogue", catalogue), ("category", big)):
        size = listing.count()
        for offset in (0, 20 * 49, size - 20):
            visitor = ms(lambda listing=listing, offset=offset: table_page(listing, None, offset, 20), repeat)
            buyer = ms(
                lambda listing=listing, offset=offset: table_page(listing, kecamatan[0], offset, 20), repeat
            )
            print(f"  {name:9} offset {offset:6}  visitor {visitor:6.1f}  buyer {buyer:6.1f}")

    print(
        "\nfallback: a ?kecamatan= filtered listing ranked in the request (bound: "
        "PEKEN_RECOMMENDED_RANK_IN_REQUEST_MAX)"
    )
    for name, category_of in (("catalogue", None), ("category", category)):
        filtered = selectors.product_list(category=category_of, sort=RECOMMENDED, kecamatan=kecamatan[0])
        cost = ms(lambda filtered=filtered: ranked_in_request(filtered, None), repeat)
        print(f"  {name:9} {filtered.count():6} products {cost:7.1f}")

    print("\nfallback: the catalogue not ranked yet (above the bound): bounded check and newest-first page")

    def newest_page():
        cache.clear()
        listing = recommended_listing(catalogue.queryset, stock=catalogue.stock, buyer_kecamatan=None)
        return listing.ranked_ids(offset=0, limit=20)

    print(f"  catalogue {ms(newest_page, repeat):7.1f}")

    print("\ncheck: the table's order is the request's ranking, for a visitor and each buyer")
    for name, listing in (("catalogue", catalogue), ("category", big)):
        for buyer in (None, *kecamatan):
            same = table_page(listing, buyer, 0, None) == ranked_in_request(listing, buyer)
            print(f"  {name:9} {buyer or 'visitor':20} {'same' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
