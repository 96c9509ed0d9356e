"""Peken's storefront benchmark, side by side with stock django-oscar and a trivial Django view.

Populates Peken's synthetic catalogue into a PostgreSQL database of its own and the same
catalogue into a stock django-oscar 4.2.1 shop (bench/stock_oscar/) in another, counts
the SQL queries of each page, then serves Peken (production settings, DEBUG off), stock
Oscar and a trivial Django view (bench/trivial/, the ceiling any page can reach) each
with gunicorn on a port of its own. The load is interleaved: in each round, every page
and visitor (anonymous, signed in) is loaded with wrk on Peken and then on stock Oscar,
and the trivial view once, each after a short warm-up, one server at a time (the next
load waits until the last server's workers and database are idle, or restarts it). The
report is the median over rounds. Before each of Peken's loads every URL of the page is
requested once (``--no-crawl`` skips it), so the load measures a shop whose pages were
seen before, as a running shop's are; stock Oscar keeps no page cache, so a crawl would
warm nothing there (and its searches take seconds each). Nothing here is a pass or fail:
compare with bench/RESULTS.md.

    .venv/bin/python bench/run.py [--products 100000] [--workers 2] [--rounds 3] [--seconds 15]
    .venv/bin/python bench/run.py --only peken        # Peken alone, for quick iterations
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
PORT = 8765
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
SYSTEMS = ("before", "peken", "oscar", "trivial", "middleware")
TITLES = {
    "before": "Peken before",
    "peken": "Peken",
    "oscar": "stock Oscar",
    "trivial": "trivial view",
    "middleware": "trivial view behind Peken's middleware",
}
WHO = ("anonymous", "signed in")


def environment(database_url: str, workers: int, port: int, cache_db: int = 3) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peken.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PEKEN_SITE_DOMAIN": f"127.0.0.1:{port}",
        "PEKEN_AUDIT_KEYS": "bench:bench-only-audit-key-0123456789-abcdefghijklmnop",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "CACHE_URL": f"redis://127.0.0.1:6379/{cache_db}",
        "WEB_CONCURRENCY": str(workers),
        "PEKEN_SYNTHETIC_DATA_ALLOWED": "true",
    }


def oscar_environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.stock_oscar.settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "CACHE_URL": "redis://127.0.0.1:6379/4",  # Peken's bench has 3
    }


def manage(env: dict, *args: str, root: Path = ROOT) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=root, env=env, check=True)


def output(env: dict, *args: str) -> str:
    """The last line a bench script prints."""
    return (
        subprocess.run([PY, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )


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


def prepare_peken(args: argparse.Namespace, env: dict) -> dict:
    """Peken's database filled, static files collected, its URLs, query counts and a session."""
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    populated = None
    if product_count(args.database_url) < args.products:
        started = time.monotonic()
        manage(
            env,
            "peken_synthetic",
            "--sellers",
            str(args.sellers),
            "--products",
            str(args.products),
            "--orders",
            str(args.orders),
            "--lines-per-order",
            str(args.lines_per_order),
        )
        populated = round(time.monotonic() - started)
        print(f"Peken populated in {populated} s")
    # a running shop's beat task keeps Rekomendasi's order in its table (exposure/selectors.py)
    manage(env, "recommended_refresh")
    manage(env, "collectstatic", "--noinput", "-v0")
    paths_json = OUT / "paths.json"
    subprocess.run([PY, "bench/queries.py", "sample", str(paths_json)], cwd=ROOT, env=env, check=True)
    # queries of a page as rendered (the anonymous page cache would hide them)
    uncached = {**env, "PEKEN_PAGE_CACHE_SECONDS": "0"}
    queries = json.loads(output(uncached, "bench/queries.py", str(paths_json)))
    return {
        "paths": json.loads(paths_json.read_text()),
        "queries": queries,
        "cookie": output(env, "bench/queries.py", "session"),
        "products": product_count(args.database_url),
        "populated_seconds": populated,
    }


def prepare_oscar(args: argparse.Namespace, env: dict) -> dict:
    """Stock Oscar's database filled with the same catalogue, its URLs, query counts and a session."""
    ensure_database(args.oscar_database_url)
    subprocess.run([PY, "-m", "django", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    shop = "bench/stock_oscar/shop.py"
    populated = None
    if product_count(args.oscar_database_url) < args.products:
        started = time.monotonic()
        subprocess.run(
            [PY, shop, "populate", "--products", str(args.products), "--sellers", str(args.sellers)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        populated = round(time.monotonic() - started)
        print(f"stock Oscar populated in {populated} s")
    paths_json = OUT / "oscar_paths.json"
    subprocess.run([PY, shop, "sample", str(paths_json)], cwd=ROOT, env=env, check=True)
    return {
        "paths": json.loads(paths_json.read_text()),
        "queries": json.loads(output(env, shop, "queries", str(paths_json))),
        "cookie": output(env, shop, "session"),
        "products": product_count(args.oscar_database_url),
        "populated_seconds": populated,
    }


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def status(port: int, path: str, cookie: str = "") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    finally:
        conn.close()


def crawl(port: int, urls: list[str], *, cookie: str = "", clients: int = 4) -> float:
    """Request every URL once, a few at a time, as visitors had before the load; returns the seconds taken.

    Peken shares each page it rendered (peken/page_cache.py), so a load right after a
    crawl measures a shop whose pages were seen before, as a running shop's are.
    """
    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda url: status(port, url, cookie), urls))
    return time.monotonic() - started


def cpu_ticks(pid: int) -> int:
    """CPU time used by a gunicorn master and its workers, in clock ticks."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1] is the parent's pid
            total += int(fields[11]) + int(fields[12])
    return total


class Server:
    """One system under gunicorn, and a way to make sure it is idle before another is loaded."""

    def __init__(
        self,
        *,
        name: str,
        module: str,
        port: int,
        env: dict,
        workers: int,
        database_url: str | None,
        root: Path = ROOT,
    ):
        self.module, self.port, self.env, self.workers, self.root = module, port, env, workers, root
        self.log = OUT / f"{name}-gunicorn.log"
        self.database_url = database_url
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if not port_free(self.port):
            raise SystemExit(f"port {self.port} is taken (another benchmark?): choose others with --port")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    PY,
                    "-m",
                    "gunicorn",
                    self.module,
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--log-level",
                    "warning",
                ],
                cwd=self.root,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status(self.port, "/")
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"server did not answer http://127.0.0.1:{self.port}/")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: no waiting for requests
            self.process.wait(timeout=60)
        # a query of a killed worker runs on in PostgreSQL until it finishes
        self._database(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()"
        )

    def _database(self, sql: str) -> list:
        if not self.database_url:
            return []
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, [self.database_url.rsplit("/", 1)[1]]).fetchall()

    def busy(self) -> bool:
        return bool(
            self._database(
                "SELECT 1 FROM pg_stat_activity WHERE datname = %s "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
        )

    def settle(self, limit: float) -> None:
        """Wait until idle: when wrk stops, the sync workers still answer every request it left queued.

        A server still busy after ``limit`` seconds (a page slower than the load was long)
        is restarted, so that the next load has the machine to itself.
        """
        deadline = time.monotonic() + limit
        before = cpu_ticks(self.process.pid)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = cpu_ticks(self.process.pid)
            if now - before <= 1 and not self.busy():
                return
            before = now
        print(f"  (still busy after {limit:.0f} s: restarted; its log: {self.log.relative_to(ROOT)})")
        self.stop()
        self.start()


def load(
    port: int, paths_file: Path, *, connections: int, seconds: int, timeout: int, cookie: str = ""
) -> dict:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            f"{timeout}s",
            *headers,
            "-s",
            str(ROOT / "bench" / "paths.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            str(paths_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    return json.loads(line[5:])


def summary(runs: list[dict]) -> dict:
    """Medians over rounds; errors added up."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "errors": sum(r["socket_errors"] + r["non_2xx_3xx"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "rounds": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peken_bench"),
    )
    parser.add_argument(
        "--oscar-database-url",
        default=os.environ.get(
            "BENCH_OSCAR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peken_bench_oscar"
        ),
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SYSTEMS,
        help="serve and load only this system (repeat for more); default: all three",
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=200)
    parser.add_argument("--orders", type=int, default=250_000)
    parser.add_argument("--lines-per-order", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measured one")
    parser.add_argument(
        "--no-crawl",
        dest="crawl",
        action="store_false",
        help="do not request every Peken URL once before its load (a cold page cache)",
    )
    parser.add_argument("--timeout", type=int, default=30, help="wrk counts a slower answer as an error")
    parser.add_argument(
        "--settle",
        type=int,
        default=60,
        help="seconds a server may take to finish what a load left queued; then restarted",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=PORT,
        help="Peken's port; stock Oscar gets the next, the trivial view the one after",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of an earlier Peken (git worktree add DIR COMMIT) served beside it, "
        "on the same database, as 'Peken before'",
    )
    args = parser.parse_args()
    systems = [s for s in SYSTEMS if s in (args.only or SYSTEMS) and (s != "before" or args.before)]

    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    OUT.mkdir(parents=True, exist_ok=True)
    ports = {
        "peken": args.port,
        "oscar": args.port + 1,
        "trivial": args.port + 2,
        "before": args.port + 3,
        "middleware": args.port + 4,
    }
    envs = {
        "peken": environment(args.database_url, args.workers, ports["peken"]),
        "before": environment(args.database_url, args.workers, ports["before"], cache_db=5),
        "oscar": oscar_environment(args.oscar_database_url),
        "trivial": {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.trivial.settings"},
        "middleware": {
            **environment(args.database_url, args.workers, args.port + 4),
            "DJANGO_SETTINGS_MODULE": "bench.trivial.behind_peken",
        },
    }
    databases = {
        "peken": args.database_url,
        "oscar": args.oscar_database_url,
        "trivial": None,
        "before": args.database_url,
        "middleware": None,
    }
    modules = {
        "peken": "peken.wsgi:application",
        "oscar": "bench.stock_oscar.wsgi:application",
        "trivial": "bench.trivial.wsgi:application",
        "before": "peken.wsgi:application",
        "middleware": "bench.trivial.wsgi:application",
    }
    shops = {}
    if "peken" in systems:
        shops["peken"] = prepare_peken(args, envs["peken"])
    if "oscar" in systems:
        shops["oscar"] = prepare_oscar(args, envs["oscar"])
    for name in ("trivial", "middleware"):
        if name in systems:
            shops[name] = {"paths": {"trivial": ["/"]}, "cookie": ""}
    if "before" in systems:
        # the same shop, URLs and shopper; its static files collected from its own checkout
        manage(envs["before"], "collectstatic", "--noinput", "-v0", root=args.before)
        shops["before"] = {key: shops["peken"][key] for key in ("paths", "cookie")}
    ceilings = ("trivial", "middleware")
    pages = next((list(shop["paths"]) for name, shop in shops.items() if name not in ceilings), [])

    for name, shop in shops.items():
        for page, urls in shop["paths"].items():
            (OUT / f"{name}_{page}.txt").write_text("\n".join(urls) + "\n")

    servers = {
        name: Server(
            name=name,
            module=modules[name],
            port=ports[name],
            env=envs[name],
            workers=args.workers,
            database_url=databases[name],
            root=args.before if name == "before" else ROOT,
        )
        for name in systems
    }
    loads = {name: {} for name in systems}
    load_before = os.getloadavg()
    try:
        for name in systems:
            servers[name].start()
        for name in systems:
            shop = shops[name]
            # every page answers 200 for both visitors before anything is measured
            for urls in shop["paths"].values():
                for who in WHO if name not in ceilings else WHO[:1]:
                    code = status(ports[name], urls[0], shop["cookie"] if who == "signed in" else "")
                    if code != 200:
                        raise SystemExit(f"{TITLES[name]} answered {code} for {urls[0]} ({who})")

        def measure(name: str, page: str, who: str) -> None:
            cookie = shops[name]["cookie"] if who == "signed in" else ""
            paths_file = OUT / f"{name}_{page}.txt"
            options = {"connections": args.connections, "timeout": args.timeout, "cookie": cookie}
            if name in ("peken", "before") and args.crawl:
                seconds = crawl(ports[name], shops[name]["paths"][page], cookie=cookie)
                print(f"  {TITLES[name]}, {page}, {who}: every URL once in {seconds:.0f} s")
            load(ports[name], paths_file, seconds=args.warmup, **options)
            servers[name].settle(args.settle)
            result = load(ports[name], paths_file, seconds=args.seconds, **options)
            servers[name].settle(args.settle)
            loads[name].setdefault(f"{page}, {who}", []).append(result)
            print(
                f"  {TITLES[name]}, {page}, {who}: {result['rps']:.1f}/s, p99 {result['p99_ms']:.0f} ms, "
                f"{result['requests']} requests"
            )

        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}")
            for name in ceilings:
                if name in systems:
                    measure(name, "trivial", "anonymous")
            for page in pages:
                for who in WHO:
                    for name in ("before", "peken", "oscar"):
                        if name in systems:
                            measure(name, page, who)
    finally:
        for server in servers.values():
            server.stop()

    results = {name: {key: summary(runs) for key, runs in by_page.items()} for name, by_page in loads.items()}
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "load_average_before": load_before,
        "load_average": os.getloadavg(),
        "gunicorn_workers": args.workers,
        "connections": args.connections,
        "rounds": args.rounds,
        "seconds": args.seconds,
        "warmup_seconds": args.warmup,
        "crawl": args.crawl,
        "systems": {
            name: {key: value for key, value in shops[name].items() if key not in ("paths", "cookie")}
            for name in systems
        },
        "paths": {name: {page: len(urls) for page, urls in shops[name]["paths"].items()} for name in systems},
        "load": results,
    }
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    print_report(report, systems, pages)


def print_report(report: dict, systems: list[str], pages: list[str]) -> None:
    results = report["load"]
    products = "".join(
        f"{TITLES[n]} {report['systems'][n]['products']} products; "
        for n in systems
        if "products" in report["systems"][n]
    )
    print(
        f"\n{report['date']}  {report['machine']}  load average before "
        f"{' '.join(f'{x:.1f}' for x in report['load_average_before'])}, after "
        f"{' '.join(f'{x:.1f}' for x in report['load_average'])}\n{products}gunicorn "
        f"{report['gunicorn_workers']} sync workers, {report['connections']} clients, "
        f"{report['rounds']} rounds of {report['seconds']} s, medians over rounds\n"
    )

    def cell(name: str, key: str) -> str:
        r = results.get(name, {}).get(key)
        if r is None:
            return ""
        if not r["requests"]:
            return f"0 (none answered in {report['seconds']} s)"
        errors = f", {r['errors']} errors" if r["errors"] else ""
        return f"{r['rps']:.1f} ({r['p99_ms']:.0f} ms{errors})"

    trivial = results.get("trivial", {}).get("trivial, anonymous")
    behind = results.get("middleware", {}).get("trivial, anonymous")
    trivial_cell = (f"{trivial['rps']:.0f}" if trivial else "") + (
        f" ({behind['rps']:.0f} behind Peken's middleware)" if behind else ""
    )
    peken_queries = report["systems"].get("peken", {}).get("queries", {})
    before = "before" in systems
    print(
        "| page | stock Oscar req/s (p99) |"
        + (" Peken before req/s (p99) |" if before else "")
        + " Peken req/s (p99) | trivial view req/s | Peken queries |"
    )
    print("|---|---|---|---|---|" + ("---|" if before else ""))
    for page in pages:
        for who in WHO:
            key = f"{page}, {who}"
            queries = peken_queries.get(page, {}).get("queries", "")
            print(
                f"| {key} | {cell('oscar', key)} |"
                + (f" {cell('before', key)} |" if before else "")
                + f" {cell('peken', key)} | {trivial_cell} | {queries} |"
            )
    if not pages and trivial:
        print(f"| trivial view | | | {trivial_cell} | |")
    if peken_queries:
        print(f"| category, 100 per page | | | | {peken_queries['category_100']['queries']} |")
        print(f"| placing an order | | | | {peken_queries['place_order'].get('queries')} |")
    oscar_queries = report["systems"].get("oscar", {}).get("queries")
    if oscar_queries:
        print(
            "\nstock Oscar queries per page (anonymous, warm caches): "
            + ", ".join(f"{page} {q['queries']}" for page, q in oscar_queries.items())
        )

    print("\n| system | page | requests/s | p50 ms | p99 ms | errors | requests |")
    print("|---|---|---|---|---|---|---|")
    for name in systems:
        for key, r in results[name].items():
            print(
                f"| {TITLES[name]} | {key} | {r['rps']:.1f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
                f"{r['errors']} | {r['requests']} |"
            )


if __name__ == "__main__":
    main()
