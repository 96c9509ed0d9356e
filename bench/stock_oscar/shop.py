"""Stock Oscar's side of the storefront benchmark: its data, its URLs, its query counts, a session.

    DJANGO_SETTINGS_MODULE=bench.stock_oscar.settings python bench/stock_oscar/shop.py populate --products N
    ... shop.py sample FILE     writes the URLs to load, as bench/queries.py does for Peken
    ... shop.py queries FILE    prints one JSON object of query counts (anonymous, warm caches)
    ... shop.py session         prints a signed-in shopper's session cookie

The catalogue has the shape of Peken's synthetic one (peken/synthetic.py): the same 7
top-level categories with 3 subcategories each, products spread over the subcategories,
one product class, sellers as partners, one stock record per product. Each row draws
from the same seeded source as Peken's, so the titles, prices and sellers are the same.
Rows are written with COPY; a second run only adds what is missing.
"""

import argparse
import ast
import json
import os
import random
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock_oscar.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

PREFIX = "SYN1-"  # peken_synthetic's default seed, so each row is drawn as Peken's is
EPOCH = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.get_fixed_timezone(7 * 60))


def _peken_words() -> dict:
    """GOODS, QUALITIES, SIZES and SHOP_WORDS as peken/synthetic.py has them.

    Read from its source: importing the module needs Peken's own apps, which this
    project does not install.
    """
    tree = ast.parse((ROOT / "peken" / "synthetic.py").read_text())
    wanted = {"GOODS", "QUALITIES", "SIZES", "SHOP_WORDS"}
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in wanted
    }


WORDS = _peken_words()


def _rng(kind: str, n: int) -> random.Random:
    return random.Random(f"{PREFIX}{kind}{n}")


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high) // 500 * 500 + 500)


def _insert(model: type[models.Model], rows: Iterable[dict]) -> None:
    """COPY rows into the model's table; a field not given gets its default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for values in rows:
                copy.write_row([values.get(f.attname, f.get_default()) for f in fields])


def _categories() -> list:
    leaves = []
    for root_name, goods in WORDS["GOODS"].items():
        root_name = f"{root_name} (sintetis)"
        root = Category.objects.get_root_nodes().filter(name=root_name).first() or Category.objects.add_root(
            create_kwargs={"name": root_name, "slug": slugify(root_name), "is_public": True}
        )
        for sub in range(3):
            name = f"{root_name} {sub + 1}"
            child = Category.objects.get_children(root).filter(name=name).first()
            if child is None:
                child = Category.objects.add_child(
                    root, create_kwargs={"name": name, "slug": slugify(name), "is_public": True}
                )
            leaves.append((child, goods))
    return leaves


def populate(*, products: int, sellers: int) -> None:
    with transaction.atomic():
        existing = Partner.objects.filter(code__startswith=PREFIX).count()
        _insert(
            Partner,
            (
                {
                    "code": f"{PREFIX}{n:05d}",
                    "name": f"Toko {_rng('seller', n).choice(WORDS['SHOP_WORDS'])} {n + 1}",
                }
                for n in range(existing, sellers)
            ),
        )
        seller_ids = list(
            Partner.objects.filter(code__startswith=PREFIX).order_by("id").values_list("id", flat=True)
        )
        product_class, _ = ProductClass.objects.get_or_create(
            slug="barang", defaults={"name": "Barang", "track_stock": True, "requires_shipping": True}
        )
        leaves = _categories()
        existing = Product.objects.filter(upc__startswith=PREFIX).count()
        plan = []
        for n in range(existing, products):
            rng = _rng("product", n)
            category, goods = leaves[n % len(leaves)]
            title = f"{rng.choice(goods)} {rng.choice(WORDS['QUALITIES'])} {rng.choice(WORDS['SIZES'])}"
            plan.append((n, category.pk, title, rng.choice(seller_ids), _price(rng, 2_000, 400_000)))
        _insert(
            Product,
            (
                {
                    "upc": f"{PREFIX}{n:08d}",
                    "title": title,
                    "slug": slugify(title)[:128],
                    "description": f"{title}, dijual oleh UMKM Surabaya.",
                    "product_class_id": product_class.pk,
                    "date_created": EPOCH + timedelta(minutes=n),
                    "date_updated": EPOCH + timedelta(minutes=n),
                }
                for n, _category, title, _seller, _amount in plan
            ),
        )
        ids = dict(Product.objects.filter(upc__startswith=PREFIX).values_list("upc", "id"))
        _insert(
            ProductCategory,
            ({"product_id": ids[f"{PREFIX}{n:08d}"], "category_id": category} for n, category, *_ in plan),
        )
        _insert(
            StockRecord,
            (
                {
                    "product_id": ids[f"{PREFIX}{n:08d}"],
                    "partner_id": seller,
                    "partner_sku": f"{PREFIX}{n:08d}",
                    "price": amount,
                    "num_in_stock": 50 + n % 450,
                    "num_allocated": 0,
                    "date_created": EPOCH,
                    "date_updated": EPOCH,
                }
                for n, _category, _title, seller, amount in plan
            ),
        )
    with connection.cursor() as cursor:
        for model in (Product, ProductCategory, StockRecord, Partner):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    print(f"stock Oscar: {len(seller_ids)} partners, {len(ids)} products ({len(plan)} added)")


def sample_paths(*, products: int = 2000, seed: float = 0.42) -> dict[str, list[str]]:
    """The same choice of URLs as bench/queries.py makes for Peken.

    Stock Oscar's "/" only redirects to the catalogue, so its home page is the
    catalogue the redirect lands on.
    """
    rng = random.Random(seed)
    categories = [c.get_absolute_url() for c in Category.objects.filter(is_public=True, depth=1)]
    ids = list(Product.objects.browsable().values_list("id", flat=True).order_by("id"))
    chosen = rng.sample(ids, min(products, len(ids)))
    product_urls = [p.get_absolute_url() for p in Product.objects.filter(id__in=chosen).only("id", "slug")]
    words = set()
    for title in Product.objects.filter(id__in=chosen[:500]).values_list("title", flat=True):
        words.update(w.lower() for w in title.split() if w.isalpha() and len(w) > 3)
    return {
        "home": ["/catalogue/"],
        "category": categories,
        "product": product_urls,
        "search": [f"/search/?q={w}" for w in sorted(words)],
    }


def query_counts(paths: dict[str, list[str]]) -> dict:
    client = Client()
    out = {}
    for name, urls in paths.items():
        client.get(urls[0])  # warm caches as a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(urls[0])
        out[name] = {"path": urls[0], "queries": len(ctx.captured_queries), "status": response.status_code}
    return out


def session_cookie() -> str:
    user, _ = get_user_model().objects.get_or_create(
        username="bench-shopper", defaults={"email": "bench-shopper@oscar.local"}
    )
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fill = commands.add_parser("populate")
    fill.add_argument("--products", type=int, default=100_000)
    fill.add_argument("--sellers", type=int, default=200)
    commands.add_parser("sample").add_argument("file", type=Path)
    commands.add_parser("queries").add_argument("file", type=Path)
    commands.add_parser("session")
    args = parser.parse_args()
    if args.command == "populate":
        populate(products=args.products, sellers=args.sellers)
    elif args.command == "sample":
        args.file.write_text(json.dumps(sample_paths()))
    elif args.command == "queries":
        print(json.dumps(query_counts(json.loads(args.file.read_text()))))
    else:
        print(session_cookie())


if __name__ == "__main__":
    main()
