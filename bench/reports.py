"""Server time and SQL queries of every report page and export, on the synthetic city (issue 13).

Runs in-process with Django's test client on the database `manage.py peken_synthetic
--requisitions 100000` filled (`--database-url`, default peken_synth), with the benchmark's
production settings (bench/run.py's environment: DEBUG off, persistent connections, Redis
cache db 6): the time of a request here is what a gunicorn worker spends on it, without the
network. It signs in as a city-wide auditor and as one agency's PA/KPA (both made here, once),
finds every URL of the "reports" namespace in the resolver (a page added to reports/urls.py is
measured without touching this script), fills each URL's arguments from the database (the
agency with the most paid purchases, its busiest budget line, ...; see ``KINDS``) and measures:

- a page: the median wall time of ``--runs`` requests after one warm-up, and the queries of one;
- an export (a ``fmt`` argument: csv, xlsx, pdf where the view answers it): the time to its
  first chunk (a streamed export's first rows; for one built whole, the whole) and to its last
  byte, the same way.

Scopes: "city" is the auditor on the whole fiscal year of the synthetic data, every agency;
"agency" is the PA/KPA, who reads only their agency (their year too). ``--scope month`` adds the
auditor on one month, ``--scope filters`` the auditor on the year with the seller filters
(kecamatan and scale). Targets (issue 13, item 12): the city-wide year under 2 s, every other
page and every export's first page under 1 s. The table goes to stdout (for bench/RESULTS.md),
every figure to bench/out/reports.json.

    .venv/bin/python bench/reports.py [--database-url URL] [--runs 5] [--only realisation] [--scope month]
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/peken_synth"
CACHE_DB = 6  # bench/run.py has 3 (Peken), 4 (stock Oscar) and 5 (Peken before)
# a broker nobody consumes: a large export is queued as in production (its build is timed here)
BROKER = "redis://127.0.0.1:6379/7"
FORMATS = ("csv", "xlsx", "pdf")
TARGETS = {"city": 2.0}  # seconds; every other scope 1 s
HOW_TO_FILL = """\
This database holds no synthetic official purchases. Make one (about 5 minutes):

    createdb -h 127.0.0.1 -U postgres peken_synth
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/peken_synth PEKEN_SYNTHETIC_DATA_ALLOWED=true
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py peken_synthetic --requisitions 100000

then run `make bench-reports` (or this script with --database-url pointing at it)."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_REPORTS_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page, after one warm-up")
    parser.add_argument("--only", action="append", default=[], help="URL names containing this (repeatable)")
    parser.add_argument(
        "--scope",
        action="append",
        choices=("city", "agency", "month", "filters"),
        help="city and agency unless given (repeatable)",
    )
    parser.add_argument(
        "--no-selectors", action="store_true", help="pages only, not the red-flag and exposure reads apart"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="keep no city-wide reading (PEKEN_REPORT_SUMMARY_SECONDS=0): every request reads live",
    )
    parser.add_argument(
        "--no-build", action="store_true", help="do not build the exports sent to the background"
    )
    parser.add_argument("--min-requisitions", type=int, default=1000)
    return parser.parse_args(argv)


def setup(database_url: str, *, fresh: bool = False) -> None:
    """Django with the benchmark's production environment (bench/run.py), on ``database_url``."""
    from bench.run import PORT, environment

    os.environ["DATABASE_URL"] = database_url
    if fresh:
        os.environ["PEKEN_REPORT_SUMMARY_SECONDS"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", BROKER)
    for key, value in environment(database_url, 1, PORT, cache_db=CACHE_DB).items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings.production")
    import django

    django.setup()
    from django.core.management import call_command

    # the manifest the production static storage reads (bench/run.py collects it too)
    call_command("collectstatic", interactive=False, verbosity=0)


# --- what the URLs are aimed at ---


def synthetic_counts() -> dict:
    from oscar.core.loading import get_model

    from procurement.models import OfficialPayment, Requisition
    from procurement.statuses import OfficialPaymentStatus

    Line = get_model("order", "Line")
    return {
        "requisitions": Requisition.objects.filter(reference__startswith="SYN").count(),
        "official_order_lines": Line.objects.filter(order__user__isnull=True).count(),
        "paid_payments": OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID).count(),
    }


def targets() -> dict:
    """The agency with the most paid purchases, and its busiest line, purchase, seller, ... (one each)."""
    from django.db.models import Count

    from procurement.models import Agency, BudgetLine, OfficialPayment, Unit
    from procurement.statuses import OfficialPaymentStatus

    paid = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID)
    busiest = (
        paid.values("requisition__agency").annotate(n=Count("pk")).order_by("-n", "requisition__agency")[0]
    )
    agency = Agency.objects.get(pk=busiest["requisition__agency"])
    line = (
        BudgetLine.objects.filter(agency=agency)
        .annotate(n=Count("requisitions__payments"))
        .order_by("-n", "pk")
        .first()
    )
    payment = paid.filter(requisition__agency=agency).order_by("-gross", "pk").first()
    seller = (
        paid.filter(requisition__agency=agency)
        .values("order__seller")
        .annotate(n=Count("pk"))
        .order_by("-n", "order__seller")[0]["order__seller"]
    )
    unit = Unit.objects.filter(agency=agency).order_by("pk").first()
    return {
        "agency": agency,
        "seller": seller,
        "year": line.fiscal_year,
        # a URL argument's kind -> the values to try, in order
        "kinds": {
            "agency": [agency.code, agency.pk],
            "line": [line.pk],
            "requisition": [payment.requisition_id],
            "payment": [payment.pk],
            "order": [payment.order_id],
            "seller": [seller],
            "unit": [unit.pk] if unit else [],
            "export": [],  # the auditor's newest export, once one was asked for (export_kinds)
        },
    }


def export_kinds(kinds: dict, user) -> None:
    """Aim the export pages at ``user``'s newest finished export (one a background export left)."""
    from reports.models import ReportExport
    from reports.statuses import ExportStatus

    done = ReportExport.objects.filter(requested_by=user, status=ExportStatus.DONE).order_by("-pk").first()
    kinds["export"] = [done.pk] if done else []


def bench_users(agency, seller_id: int) -> dict:
    """A city-wide auditor, ``agency``'s PA/KPA and a person of the shop ``seller_id``, made once."""
    from django.contrib.auth import get_user_model

    from procurement.models import Membership
    from procurement.statuses import Role

    User = get_user_model()
    auditor, _ = User.objects.get_or_create(
        username="bench-auditor", defaults={"email": "bench-auditor@peken.local", "password": "!"}
    )
    Membership.objects.get_or_create(user=auditor, agency=None, role=Role.AUDITOR)
    pa, _ = User.objects.get_or_create(
        username="bench-pa", defaults={"email": "bench-pa@peken.local", "password": "!"}
    )
    # the PA/KPA of the benchmarked agency only: another run may have picked another agency
    Membership.objects.filter(user=pa).exclude(agency=agency).delete()
    Membership.objects.get_or_create(user=pa, agency=agency, role=Role.BUDGET_HOLDER)
    # the shop's own reports (sales) are for its people only, not for auditors
    shopkeeper, _ = User.objects.get_or_create(
        username="bench-seller", defaults={"email": "bench-seller@peken.local", "password": "!"}
    )
    shopkeeper.partners.set([seller_id])
    return {"auditor": auditor, "pa": pa, "seller": shopkeeper}


def report_patterns() -> list[tuple[str, object]]:
    """(namespaced name, URLPattern) of every URL in the "reports" namespace, in urls.py order."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield ":".join((*namespaces, pattern.name)), pattern

    return [(name, p) for name, p in walk(get_resolver().url_patterns) if name.startswith("reports:")]


def access_hints() -> dict:
    """URL name -> {argument: kind} from tests/test_reports_access.py's TABLE ("line_a" -> "line")."""
    try:
        from tests.test_reports_access import TABLE
    except ImportError:
        return {}
    return {
        name: {k: str(v).rsplit("_", 1)[0] for k, v in rule.kwargs.items() if k != "fmt"}
        for name, rule in TABLE.items()
    }


def argument_kinds(name: str, argument: str, hints: dict, kinds: dict) -> list[str]:
    """The kinds of object worth trying for one URL argument: the access table's, then by its name."""
    hinted = hints.get(name, {}).get(argument)
    if hinted in kinds:
        return [hinted]
    words = argument.lower().replace("_", " ").split()
    named = [kind for kind in kinds if kind in words or any(kind in word for word in words)]
    if argument in ("code", "slug"):
        named = ["agency", *named]
    return list(dict.fromkeys([*named, *kinds]))


def aim(
    name: str, pattern, clients: dict, hints: dict, kinds: dict, query: dict
) -> list[tuple[str, dict, str]]:
    """Every (label, kwargs, reader) of this URL that answers: each export format, each argument.

    The reader is the auditor, or the shop's person where the auditor is refused (a shop's sales).
    """
    from itertools import product

    from django.urls import reverse

    arguments = [a for a in pattern.pattern.regex.groupindex if a != "fmt"]
    formats = FORMATS if "fmt" in pattern.pattern.regex.groupindex else (None,)
    choices = []
    for argument in arguments:
        values = [(kind, v) for kind in argument_kinds(name, argument, hints, kinds) for v in kinds[kind]]
        choices.append(values)
    aimed = []
    for fmt in formats:
        for combination in product(*choices):
            kwargs = {a: v for a, (_kind, v) in zip(arguments, combination, strict=True)}
            if fmt:
                kwargs["fmt"] = fmt
            url = reverse(name, kwargs=kwargs)
            for reader in ("auditor", "seller"):
                response = clients[reader].get(url, query)
                _drain(response)
                if response.status_code not in (403, 404):
                    break
            if response.status_code == 404:
                continue
            label = ", ".join(f"{a}={kind}" for a, (kind, _v) in zip(arguments, combination, strict=True))
            aimed.append((fmt or label or "", kwargs, reader))
            break
    return aimed


# --- measuring ---


def _drain(response) -> tuple[float | None, int]:
    """Read the whole body; (seconds to the first chunk of a streamed one, bytes)."""
    if not getattr(response, "streaming", False):
        return None, len(response.content)
    started = time.perf_counter()
    chunks = iter(response.streaming_content)
    first = next(chunks, b"")
    first_at = time.perf_counter() - started
    size = len(first) + sum(len(chunk) for chunk in chunks)
    response.close()
    return first_at, size


def measure(
    client, url: str, query: dict, runs: int, user=None, name: str = "", fmt: str | None = None
) -> dict:
    """One warm-up, then the queries of one request and the median of ``runs`` timed ones.

    An export sent to the background (a redirect to the downloads page) is then built as the
    worker builds it (reports.services.report_export_build), timed once: its whole export.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    response = client.get(url, query)
    _drain(response)
    cold = time.perf_counter() - started  # the first request: what nothing kept made faster
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
        _drain(response)
    # read now: the next request's request_started signal empties the connection's query log
    queries = len(ctx.captured_queries)
    sql = sum(float(q["time"]) for q in ctx.captured_queries)
    whole, first = [], []
    size = 0
    for _n in range(runs):
        started = time.perf_counter()
        response = client.get(url, query)
        answered = time.perf_counter() - started
        first_chunk, size = _drain(response)
        whole.append(time.perf_counter() - started)
        first.append(answered + first_chunk if first_chunk is not None else whole[-1])
    figures = {
        "status": response.status_code,
        "type": response.get("Content-Type", ""),
        "bytes": size,
        "queries": queries,
        "sql_seconds": round(sql, 3),
        "first": round(statistics.median(first), 3),
        "whole": round(statistics.median(whole), 3),
        "min": round(min(whole), 3),
        "max": round(max(whole), 3),
        "cold": round(cold, 3),
        "background": None,
    }
    if response.status_code == 302:
        figures["location"] = response["Location"]
    if response.status_code == 302 and user is not None:
        figures["background"] = background_build(
            user=user, name=name, fmt=fmt, redirected_to=response["Location"]
        )
    return figures


def background_build(*, user, name: str, fmt: str | None, redirected_to: str) -> dict | None:
    """Build the user's queued export of ``name`` now, as the worker would: its seconds, rows and status."""
    from django.urls import reverse

    from reports import services
    from reports.models import ReportExport
    from reports.statuses import ExportStatus

    if not redirected_to.startswith(reverse("reports:exports")):
        return None
    export = (
        ReportExport.objects.filter(requested_by=user, url_name=name, fmt=fmt, status=ExportStatus.QUEUED)
        .order_by("-pk")
        .first()
    )
    if export is None:
        return None
    started = time.perf_counter()
    built = services.report_export_build(export_id=export.pk)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": built.total if built else None,
        "status": built.status if built else None,
        "export_id": export.pk,
    }


def selector_functions() -> list[tuple[str, object]]:
    """The red-flag and exposure reads (reports/red_flags.py, reports/exposure.py) a page is built on.

    Every public function of those modules whose keyword-only arguments include ``start`` and
    ``end`` (or ``fiscal_year``): what a red-flag or exposure page calls, timed apart from its page.
    """
    import importlib
    import inspect

    found = []
    for module_name in ("reports.red_flags", "reports.exposure"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module_name:
                continue
            parameters = inspect.signature(function).parameters
            if {"start", "end"} <= set(parameters) or "fiscal_year" in parameters:
                found.append((f"{module_name.split('.')[-1]}.{name}", function))
    return found


def measure_selector(function, year: int, agency_ids, runs: int) -> dict:
    """Like ``measure``, for one call of a read with the whole fiscal year (optionally one agency)."""
    import inspect
    from datetime import date

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    parameters = inspect.signature(function).parameters
    kwargs = (
        {"fiscal_year": year}
        if "fiscal_year" in parameters
        else {"start": date(year, 1, 1), "end": date(year, 12, 31)}
    )
    if "agency_ids" in parameters and agency_ids is not None:
        kwargs["agency_ids"] = agency_ids
    elif agency_ids is not None:
        return {}
    function(**kwargs)
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        function(**kwargs)
    queries, sql = len(ctx.captured_queries), sum(float(q["time"]) for q in ctx.captured_queries)
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        function(**kwargs)
        times.append(time.perf_counter() - started)
    return {
        "queries": queries,
        "sql_seconds": round(sql, 3),
        "whole": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
    }


def scopes(wanted: list[str], year: int) -> list[tuple[str, str, dict]]:
    """(scope, who, query string) for each scope asked for."""
    from sellers.abstract_models import UmkmScale

    table = {
        "city": ("auditor", {"tahun": year}),
        "agency": ("pa", {"tahun": year}),
        "month": ("auditor", {"tahun": year, "bulan": 6}),
        "filters": ("auditor", {"tahun": year, "skala": UmkmScale.MICRO, "kecamatan": _a_kecamatan()}),
    }
    return [(scope, *table[scope]) for scope in wanted]


def _a_kecamatan() -> str:
    from peken.city import kecamatan_names

    names = list(kecamatan_names())
    return names[0] if names else ""


def main(argv=None) -> int:
    args = parse_args(argv)
    setup(args.database_url, fresh=args.fresh)
    from django.db import DatabaseError
    from django.test import Client
    from django.urls import reverse

    try:
        counts = synthetic_counts()
    except DatabaseError as error:  # no such database, or one never migrated
        print(f"{args.database_url}: {error}".strip(), file=sys.stderr)
        counts = {"requisitions": 0}
    if counts["requisitions"] < args.min_requisitions:
        print(f"{args.database_url}: {counts['requisitions']} synthetic requisitions.\n", file=sys.stderr)
        print(HOW_TO_FILL, file=sys.stderr)
        return 2
    # nothing kept from an earlier run: each page's first request reads what it reads
    from django.core.cache import cache

    cache.clear()
    # a running city's Celery beat keeps the materialized views at most a few minutes old
    started = time.perf_counter()
    try:
        from reports.services import materialized_views_refresh
    except ImportError:  # a checkout from before the views (bench/RESULTS.md's "before")
        pass
    else:
        materialized_views_refresh()
    refresh_seconds = time.perf_counter() - started
    aimed_at = targets()
    agency, year, kinds = aimed_at["agency"], aimed_at["year"], aimed_at["kinds"]
    users = bench_users(agency, aimed_at["seller"])
    # exports an earlier run left queued (its --no-build) are not this run's to build
    from reports.models import ReportExport
    from reports.statuses import ExportStatus

    ReportExport.objects.filter(requested_by__in=users.values(), status=ExportStatus.QUEUED).delete()
    clients = {}
    for who, user in users.items():
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(user)
    hints = access_hints()
    wanted = args.scope or ["city", "agency"]
    print(
        f"{counts['requisitions']:,} requisitions, {counts['official_order_lines']:,} official order lines, "
        f"{counts['paid_payments']:,} paid payments; fiscal year {year}; agency {agency.code}; "
        f"{args.runs} runs per page after a warm-up; materialized views refreshed in {refresh_seconds:.1f} s",
        file=sys.stderr,
    )
    results = []
    for name, pattern in report_patterns():
        if args.only and not any(word in name for word in args.only):
            continue
        export_kinds(kinds, users["auditor"])
        for aimed_label, kwargs, reader in aim(name, pattern, clients, hints, kinds, {"tahun": year}):
            url = reverse(name, kwargs=kwargs)
            # a shop's own report is read by its people: one scope, theirs
            asked = scopes(wanted, year) if reader == "auditor" else [("shop", "seller", {"tahun": year})]
            for scope, who, query in asked:
                builder = None if args.no_build else users[who]
                # nothing kept from aiming or the scope before: the first request reads afresh
                cache.clear()
                figures = measure(
                    clients[who], url, query, args.runs, user=builder, name=name, fmt=kwargs.get("fmt")
                )
                target = TARGETS.get(scope, 1.0)
                row = {
                    "name": name,
                    "url": url,
                    "aimed": aimed_label,
                    "scope": scope,
                    "who": who,
                    "query": query,
                    "export": "fmt" in kwargs,
                    "target": target,
                    "met": figures["status"] in (200, 302) and figures["first"] < target,
                    **figures,
                }
                results.append(row)
                print(
                    f"  {name} [{aimed_label}] {scope}: {figures['status']} {figures['whole']} s, "
                    f"{figures['queries']} queries, background {figures['background']}",
                    file=sys.stderr,
                )
    reads = []
    if not args.no_selectors:
        for name, function in selector_functions():
            if args.only and not any(word in name for word in args.only):
                continue
            for scope, agency_ids in (("city", None), ("agency", [agency.pk])):
                if scope not in wanted:
                    continue
                figures = measure_selector(function, year, agency_ids, args.runs)
                if figures:
                    reads.append({"name": name, "scope": scope, "target": TARGETS.get(scope, 1.0), **figures})
                    print(f"  {name} {scope}: {figures['whole']} s", file=sys.stderr)
    print_table(results, args.runs)
    print_reads(reads, args.runs)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "reports.json").write_text(
        json.dumps(
            {
                "counts": counts,
                "year": year,
                "agency": agency.code,
                "refresh_seconds": round(refresh_seconds, 2),
                "pages": results,
                "reads": reads,
            },
            indent=2,
        )
    )
    return 0


def print_table(results: list[dict], runs: int) -> None:
    print(
        f"| page | scope | status | server s, median of {runs} (min–max) | first request s | SQL s | queries "
        "| target | met? |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        page = f"{r['name']}" + (f" ({r['aimed']})" if r["aimed"] else "")
        built = r.get("background")
        spread = f"({r['min']}–{r['max']})"
        if built:
            timing = f"{r['first']} {spread}, queued; the worker {built['seconds']} ({built['rows']} rows)"
        elif r["export"] and r["status"] == 302:
            timing = f"{r['first']} {spread}, sent to {r.get('location', '?')}"
        elif r["export"]:
            timing = f"{r['first']} {spread}, {r['bytes'] // 1024} kB"
        else:
            timing = f"{r['whole']} {spread}"
        met = "yes" if r["met"] else ("no" if r["status"] in (200, 302) else "-")
        print(
            f"| {page} | {r['scope']} ({r['who']}) | {r['status']} | {timing} | {r['cold']} | "
            f"{r['sql_seconds']} | {r['queries']} | < {r['target']:g} s | {met} |"
        )


def print_reads(reads: list[dict], runs: int) -> None:
    if not reads:
        return
    print(f"\n| read (whole fiscal year) | scope | seconds (median of {runs}) | min–max s | queries |")
    print("|---|---|---|---|---|")
    for r in reads:
        print(f"| {r['name']} | {r['scope']} | {r['whole']} | {r['min']}–{r['max']} | {r['queries']} |")


if __name__ == "__main__":
    sys.exit(main())
