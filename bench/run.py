"""Peken's storefront benchmark.

Populates the synthetic catalogue into a PostgreSQL database of its own, serves
the app with gunicorn under the production settings (DEBUG off), counts the SQL
queries of each page, then loads each page with wrk at 16 concurrent clients
and reports requests per second and p50/p99 latency. Nothing here is a pass or
fail: compare the figures with the targets in bench/RESULTS.md.

    .venv/bin/python bench/run.py [--products 100000] [--workers 4] [--seconds 20]
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
PORT = 8765


def environment(database_url: str, workers: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peken.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PEKEN_SITE_DOMAIN": "127.0.0.1:8765",
        "PEKEN_AUDIT_KEYS": "bench:bench-only-audit-key-0123456789-abcdefghijklmnop",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "WEB_CONCURRENCY": str(workers),
        "PEKEN_SYNTHETIC_DATA_ALLOWED": "true",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def product_count(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT count(*) FROM catalogue_product").fetchone()[0]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer {url}")


def load(paths_file: Path, *, connections: int, seconds: int, cookie: str = "") -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", *headers,
         "-s", str(ROOT / "bench" / "paths.lua"), f"http://127.0.0.1:{PORT}", "--", str(paths_file)],
        capture_output=True, text=True, check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    return json.loads(line[5:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peken_bench"))
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=200)
    parser.add_argument("--orders", type=int, default=250_000)
    parser.add_argument("--lines-per-order", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    env = environment(args.database_url, args.workers)

    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    if product_count(args.database_url) < args.products:
        started = time.monotonic()
        manage(env, "peken_synthetic", "--sellers", str(args.sellers), "--products", str(args.products),
               "--orders", str(args.orders), "--lines-per-order", str(args.lines_per_order))
        print(f"populated in {time.monotonic() - started:.0f} s")
    manage(env, "collectstatic", "--noinput", "-v0")

    paths_json = OUT / "paths.json"
    subprocess.run([PY, "bench/queries.py", "sample", str(paths_json)], cwd=ROOT, env=env, check=True)
    paths = json.loads(paths_json.read_text())
    # queries of a page as rendered (the anonymous page cache would hide them)
    queries = json.loads(subprocess.run(
        [PY, "bench/queries.py", str(paths_json)], cwd=ROOT, env={**env, "PEKEN_PAGE_CACHE_SECONDS": "0"},
        check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    cookie = subprocess.run([PY, "bench/queries.py", "session"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout.strip().splitlines()[-1]

    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "peken.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(args.workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    results = {}
    try:
        wait_for(f"http://127.0.0.1:{PORT}/catalogue/")
        for name, urls in paths.items():
            paths_file = OUT / f"{name}.txt"
            paths_file.write_text("\n".join(urls) + "\n")
            # anonymous visitors (shared page cache), then a signed-in shopper (every page rendered)
            for who, who_cookie in (("anonymous", ""), ("signed in", cookie)):
                load(paths_file, connections=args.connections, seconds=3, cookie=who_cookie)  # warm up
                results[f"{name}, {who}"] = load(paths_file, connections=args.connections,
                                                 seconds=args.seconds, cookie=who_cookie)
    finally:
        server.terminate()
        server.wait(timeout=30)

    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "products": product_count(args.database_url),
        "gunicorn_workers": args.workers,
        "connections": args.connections,
        "queries": queries,
        "load": results,
    }
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"\n{report['date']}  {report['machine']}  {report['products']} products, "
          f"gunicorn {args.workers} workers, {args.connections} clients, {args.seconds} s per page\n")
    print("| page | queries | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        errors = r["socket_errors"] + r["non_2xx_3xx"]
        page = name.split(",")[0]
        print(f"| {name} | {queries[page]['queries']} | {r['rps']:.0f} | {r['p50_ms']:.0f} | "
              f"{r['p99_ms']:.0f} | {errors} |")
    print(f"| category, 100 per page | {queries['category_100']['queries']} | | | | |")
    print(f"| placing an order | {queries['place_order'].get('queries')} | | | | |")


if __name__ == "__main__":
    main()
