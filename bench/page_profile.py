"""Where a storefront request's time goes, in-process, on the benchmark database.

For each benchmarked page (home, category, product, search), signed in and
anonymous: milliseconds of CPU per request for a render (page cache off) and
for a copy from the page cache, and the queries of each. With ``--profile
PAGE`` it also prints cProfile's top functions of a signed-in render and of a
shared copy of that page. Run it after `make bench` has populated the
database (bench/run.py), with the same environment:

    .venv/bin/python bench/page_profile.py [--requests 50] [--profile product]
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.queries import sample_paths  # noqa: E402

PAGES = ("home", "category", "product", "search")


def signed_in_client() -> Client:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-shopper", defaults={"email": "bench-shopper@peken.local"}
    )
    client = Client()
    client.force_login(user)
    return client


def timed(client: Client, urls: list[str], requests: int) -> tuple[float, int, str]:
    """(CPU ms per request, queries of the last one, its X-Page-Cache) over ``requests`` requests."""
    for url in urls[:requests]:  # warm what a running server has warm
        client.get(url)
    started = time.process_time()
    for i in range(requests):
        client.get(urls[i % len(urls)])
    ms = (time.process_time() - started) * 1000 / requests
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(urls[0])
    return ms, len(ctx.captured_queries), response.get("X-Page-Cache", "-")


def profile(client: Client, urls: list[str], title: str) -> None:
    for url in urls[:20]:
        client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(50):
        client.get(urls[i % len(urls)])
    profiler.disable()
    print(f"\n## {title}: top functions by cumulative time over 50 requests\n")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--profile", choices=PAGES)
    args = parser.parse_args()
    paths = sample_paths()
    # a few URLs per page, each requested repeatedly: the cached figure is a copy, not a first render
    urls = {page: paths[page][:5] for page in PAGES}
    rows = {}
    for page in PAGES:
        for who in ("anonymous", "signed in"):
            client = signed_in_client() if who == "signed in" else Client()
            with override_settings(PEKEN_PAGE_CACHE_SECONDS=0):
                render = timed(client, urls[page], args.requests)
            shared = timed(client, urls[page], args.requests)
            rows[f"{page}, {who}"] = {
                "render_ms": round(render[0], 1),
                "render_queries": render[1],
                "shared_ms": round(shared[0], 2),
                "shared_queries": shared[1],
                "shared_from": shared[2],
            }
    print("| page | render ms | render queries | shared copy ms | shared copy queries |")
    print("|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['render_ms']} | {row['render_queries']} | {row['shared_ms']} "
            f"({row['shared_from']}) | {row['shared_queries']} |"
        )
    (Path(__file__).parent / "out").mkdir(exist_ok=True)
    (Path(__file__).parent / "out" / "profile.json").write_text(json.dumps(rows, indent=2))
    if args.profile:
        client = signed_in_client()
        with override_settings(PEKEN_PAGE_CACHE_SECONDS=0):
            profile(client, urls[args.profile], f"{args.profile}, signed in, rendered")
        profile(client, urls[args.profile], f"{args.profile}, signed in, shared copy")


if __name__ == "__main__":
    main()
