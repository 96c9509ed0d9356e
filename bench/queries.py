"""Count the SQL queries of each benchmarked page, in-process, on the benchmark database.

Run by bench/run.py with the production settings: `queries.py sample FILE` writes
the URLs to load, `queries.py FILE` prints one JSON object of query counts. Also
places one order through the real checkout inside a transaction that is rolled
back, so the benchmark database is left as it was.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def count(client: Client, path: str) -> dict:
    client.get(path)  # warm caches as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return {"path": path, "queries": len(ctx.captured_queries), "status": response.status_code}


def order_queries(product_paths: list[str]) -> int:
    from django.contrib.auth import get_user_model
    from django.urls import resolve, reverse
    from oscar.core.loading import get_model

    from tests.checkout_flow import checkout_to_preview, order_place

    Country = get_model("address", "Country")
    Product = get_model("catalogue", "Product")

    class Rollback(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            Country.objects.update_or_create(
                iso_3166_1_a2="ID",
                defaults={"printable_name": "Indonesia", "name": "Indonesia", "is_shipping_country": True},
            )
            user = get_user_model().objects.create_user("bench-buyer", "bench@peken.local", "x-bench-x")
            client = Client()
            client.force_login(user)
            product = Product.objects.get(pk=resolve(product_paths[0]).kwargs["pk"])
            client.post(
                reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": product.min_order_quantity}
            )
            checkout_to_preview(client)
            with CaptureQueriesContext(connection) as ctx:
                response = order_place(client)
            result = {"queries": len(ctx.captured_queries), "status": response.status_code}
            raise Rollback
    except Rollback:
        pass
    return result


def sample_paths(*, products: int = 2000, seed: float = 0.42) -> dict[str, list[str]]:
    """URLs the load test picks from: public categories, products, search words."""
    import random

    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    rng = random.Random(seed)
    categories = [c.get_absolute_url() for c in Category.objects.filter(is_public=True, depth=1)]
    ids = list(Product.objects.browsable().values_list("id", flat=True).order_by("id"))
    chosen = rng.sample(ids, min(products, len(ids)))
    product_urls = [p.get_absolute_url() for p in Product.objects.filter(id__in=chosen).only("id", "slug")]
    words = set()
    for title in Product.objects.filter(id__in=chosen[:500]).values_list("title", flat=True):
        words.update(w.lower() for w in title.split() if w.isalpha() and len(w) > 3)
    searches = [f"/search/?q={w}" for w in sorted(words)]
    return {
        "home": ["/"],
        "category": categories,
        "product": product_urls,
        "search": searches,
    }


def session_cookie() -> str:
    """A signed-in shopper's session cookie, so the load test can bypass the anonymous page cache."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-shopper", defaults={"email": "bench-shopper@peken.local"}
    )
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main() -> None:
    if sys.argv[1] == "session":
        print(session_cookie())
        return
    if sys.argv[1] == "sample":
        Path(sys.argv[2]).write_text(json.dumps(sample_paths()))
        return
    paths = json.loads(Path(sys.argv[1]).read_text())
    client = Client()
    out = {}
    for name, urls in paths.items():
        out[name] = count(client, urls[0])
    out["category_100"] = count(client, paths["category"][0] + "?per_page=100")
    out["place_order"] = order_queries(paths["product"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
