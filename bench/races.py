"""Races a shopper and an official can start by clicking, repeated against gunicorn on PostgreSQL.

Serves the app as bench/run.py does (gunicorn, production settings, DEBUG off,
several workers, a database of its own), with localstripe as Stripe, all on
loopback. Each round prepares its people in this process (Django's test client
up to the preview page, as tests/checkout_flow.py does) and then fires the
racing requests over HTTP at the same moment:

  double click     five "Buat pesanan" posts of one basket (pay on delivery)
  two tabs         four "Bayar" (card intent) posts of one basket, the card confirmed,
                   then two "Buat pesanan" posts (two tabs)
  checkout vs approval
                   a shopper's order and the final approval of a requisition of the
                   same product

and counts, per race: attempts, orders created, server errors (5xx: must be 0),
whether the shopper could check out again afterwards; and over the whole run the
deadlocks PostgreSQL detected (pg_stat_database) and the transactions run again
after one (peken.db.retry_on_conflict's log line). Bounded: --rounds per race and
--seconds overall.

    .venv/bin/python bench/races.py [--rounds 20] [--workers 4] [--seconds 600]
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from run import ROOT, environment, manage, wait_for  # noqa: E402

PY = sys.executable
PORT = 8766
STRIPE_PORT = 8767
HOST = "127.0.0.1"
OK_CARD = "4242424242424242"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def race_environment(database_url: str, workers: int) -> dict:
    return {
        **environment(database_url, workers),
        "EMAIL_URL": "dummymail://",  # emails are built and dropped: no mail server on loopback
        "CELERY_BROKER_URL": "",  # tasks run in the request, as with no worker
        "STRIPE_API_BASE": f"http://{HOST}:{STRIPE_PORT}",
        "STRIPE_JS_URL": f"http://{HOST}:{STRIPE_PORT}/js.stripe.com/v3/",
        "STRIPE_SECRET_KEY": "sk_test_peken_races",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_peken_races",
        "STRIPE_WEBHOOK_SECRET": "whsec_peken_races",
        "PEKEN_PAGE_CACHE_SECONDS": "0",
    }


class Browser:
    """One signed-in tab talking to gunicorn: the session cookie, a CSRF token, no redirects followed."""

    def __init__(self, session_cookie: str):
        self.cookies = dict(c.split("=", 1) for c in session_cookie.split("; "))

    def _send(self, method: str, path: str, body: str = "", conn=None) -> tuple[int, str, str]:
        conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            }
        conn.request(method, path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, rest = value.split("=", 1)
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location") or "", text

    def get(self, path: str) -> tuple[int, str, str]:
        return self._send("GET", path)

    def post(self, path: str, data: dict, conn=None) -> tuple[int, str, str]:
        from urllib.parse import urlencode

        token = self.cookies.get("csrftoken", "")
        return self._send("POST", path, urlencode({"csrfmiddlewaretoken": token, **data}), conn)

    def csrf(self, path: str) -> None:
        """Visit ``path`` so the server sets this tab's CSRF cookie."""
        status, _location, text = self.get(path)
        if "csrftoken" not in self.cookies:
            raise SystemExit(f"no CSRF cookie from {path} ({status})")


def at_once(calls: list) -> list:
    """Run the calls in threads released together; each result, or the exception it raised."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=60)
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - counted by the caller
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


class World:
    """The shop, product, approval office and people the races use, made in this process."""

    def __init__(self):
        from django.test import Client
        from oscar.core.loading import get_model

        from tests.factories import CountryFactory, product_create, seller_create
        from tests.procurement_factories import approval_world

        self.Client = Client
        Country = get_model("address", "Country")
        Country.objects.update_or_create(
            iso_3166_1_a2="ID",
            defaults={"printable_name": "Indonesia", "name": "Indonesia", "is_shipping_country": True},
        )
        if not Country.objects.exclude(iso_3166_1_a2="ID").exists():
            CountryFactory()
        stamp = str(int(time.time()))
        self.stamp = stamp
        self.shop = seller_create(name=f"Toko Balapan {stamp}", email=f"balapan{stamp}@contoh.id")
        self.product = product_create(
            title=f"Kertas HVS {stamp}", price=Decimal("15000"), partner=self.shop, stock=1_000_000
        )
        self.office = approval_world(ceiling=Decimal("10") ** 13)
        self.n = 0

    def shopper(self, *, card: bool = False):
        """A new shopper with one unit in the basket, at the preview page; (user, session cookie)."""
        from django.conf import settings
        from django.urls import reverse

        from tests.checkout_flow import basket_add, checkout_to_preview
        from tests.factories import UserFactory

        self.n += 1
        user = UserFactory(email=f"balap{self.stamp}-{self.n}@contoh.id")
        client = self.Client()
        client.force_login(user)
        basket_add(client, self.product)
        checkout_to_preview(client)
        if card:
            client.post(reverse("checkout:preview"), {"method": "kartu"})
        return user, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def requisition(self):
        from tests.procurement_factories import RequisitionFactory, RequisitionLineFactory

        self.n += 1
        record = self.product.stockrecords.get()
        requisition = RequisitionFactory(
            reference=f"RQ-BALAP-{self.stamp}-{self.n}",
            agency=self.office.agency,
            requester=self.office.requester,
            budget_line=self.office.line,
            total=Decimal("15000"),
        )
        RequisitionLineFactory(
            requisition=requisition,
            seller=self.shop,
            stockrecord=record,
            product=self.product,
            title=self.product.title,
            quantity=1,
            unit_price=Decimal("15000"),
        )
        return requisition

    def approver_cookie(self) -> str:
        from django.conf import settings

        client = self.Client()
        client.force_login(self.office.pp)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def statuses(results) -> Counter:
    return Counter(r[0] if isinstance(r, tuple) else type(r).__name__ for r in results)


def checkout_again(world, user) -> bool:
    """Whether this shopper can put something in the basket and place another order."""
    from django.conf import settings

    from tests.checkout_flow import basket_add, checkout_to_preview

    client = world.Client()
    client.force_login(user)
    basket_add(client, world.product)
    checkout_to_preview(client)
    tab = Browser(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    tab.csrf("/checkout/preview/")
    status, location, _text = tab.post("/checkout/preview/", {"action": "place_order"})
    return status == 302 and "thank-you" in location


def race_double_click(world, report):
    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    user, cookie = world.shopper()
    tab = Browser(cookie)
    tab.csrf("/checkout/preview/")
    results = at_once([lambda: tab.post("/checkout/preview/", {"action": "place_order"}) for _ in range(5)])
    report["attempts"] += 5
    report["statuses"].update(statuses(results))
    report["orders"] += Order.objects.filter(user=user).count()
    report["rounds"] += 1
    report["checkout again ok"] += checkout_again(world, user)


def race_two_tabs(world, report, stripe_url):
    import json
    import urllib.request

    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    Payment = get_model("payments", "Payment")
    user, cookie = world.shopper(card=True)
    tabs = [Browser(cookie), Browser(cookie)]
    for tab in tabs:
        tab.csrf("/checkout/preview/")
    intents = at_once(
        [lambda t=tabs[i % 2]: t.post("/checkout/preview/", {"action": "card_intent"}) for i in range(4)]
    )
    report["attempts"] += 4
    report["statuses"].update(statuses(intents))
    secrets = {json.loads(r[2]).get("client_secret") for r in intents if isinstance(r, tuple) and r[0] == 200}
    report["distinct intents"] += len(secrets)
    report["payments"] += Payment.objects.filter(user=user).count()
    if len(secrets) == 1:
        secret = secrets.pop()
        card = {"number": OK_CARD, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        body = json.dumps(
            {
                "key": "pk_test_peken_races",
                "client_secret": secret,
                "payment_method_data": {"type": "card", "card": card},
            }
        )
        urllib.request.urlopen(
            urllib.request.Request(
                f"{stripe_url}/v1/payment_intents/{secret.split('_secret_')[0]}/confirm",
                data=body.encode(),
                method="POST",
            ),
            timeout=30,
        ).read()
        placed = at_once([lambda t=t: t.post("/checkout/preview/", {"action": "place_order"}) for t in tabs])
        report["attempts"] += 2
        report["statuses"].update(statuses(placed))
        report["orders"] += Order.objects.filter(user=user).count()
        used = Order.objects.filter(user=user).values("checkout_reference")
        report["used payments refunded"] += Payment.objects.filter(
            user=user, reference__in=used, amount_refunded__gt=0
        ).count()
    report["rounds"] += 1


def race_checkout_vs_approval(world, report, approver, decide_path):
    from oscar.core.loading import get_model

    from procurement.statuses import Decision, RequisitionStatus

    Order = get_model("order", "Order")
    user, cookie = world.shopper()
    requisition = world.requisition()
    shopper = Browser(cookie)
    shopper.csrf("/checkout/preview/")
    results = at_once(
        [
            lambda: shopper.post("/checkout/preview/", {"action": "place_order"}),
            lambda: approver.post(
                f"{decide_path}{requisition.reference}/", {"decision": Decision.APPROVE.value, "comment": ""}
            ),
        ]
    )
    report["attempts"] += 2
    report["statuses"].update(statuses(results))
    report["orders"] += Order.objects.filter(user=user).count()
    requisition.refresh_from_db()
    report["approved"] += requisition.status == RequisitionStatus.APPROVED
    report["rounds"] += 1


def database_fresh(database_url: str) -> None:
    """The races' own database, empty: the people and shops they make have fixed names."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def deadlocks(database_url: str) -> int:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [name]).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RACES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peken_races"),
        help="a database of the races' own: it is dropped and made again at each run",
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=600)
    args = parser.parse_args()

    env = race_environment(args.database_url, args.workers)
    database_fresh(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from django.urls import reverse

    world = World()
    decide_path = reverse("procurement:decide", args=["X"]).rsplit("X", 1)[0]
    log_path = ROOT / "bench" / "out" / "races-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    stripe = subprocess.Popen(
        [PY, "-m", "payments.localstripe_server", "--port", str(STRIPE_PORT)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "peken.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    reports = {
        name: {"rounds": 0, "attempts": 0, "orders": 0, "statuses": Counter(), **extra}
        for name, extra in (
            ("double click", {"checkout again ok": 0}),
            ("two tabs", {"distinct intents": 0, "payments": 0, "used payments refunded": 0}),
            ("checkout vs approval", {"approved": 0}),
        )
    }
    started, before = time.monotonic(), deadlocks(args.database_url)
    try:
        wait_for(f"http://{HOST}:{PORT}/catalogue/")
        wait_for(f"http://{HOST}:{STRIPE_PORT}/js.stripe.com/v3/")
        approver = Browser(world.approver_cookie())
        approver.csrf("/")
        for _round in range(args.rounds):
            if time.monotonic() - started > args.seconds:
                break
            races = (
                ("double click", lambda r: race_double_click(world, r)),
                ("two tabs", lambda r: race_two_tabs(world, r, f"http://{HOST}:{STRIPE_PORT}")),
                (
                    "checkout vs approval",
                    lambda r: race_checkout_vs_approval(world, r, approver, decide_path),
                ),
            )
            for name, race in races:
                try:
                    race(reports[name])
                except Exception as error:  # noqa: BLE001 - a round that could not even be set up
                    reports[name]["statuses"][f"setup {type(error).__name__}"] += 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        stripe.terminate()
        stripe.wait(timeout=30)
        log.close()
    time.sleep(1)
    found = deadlocks(args.database_url) - before
    retried = log_path.read_text().count("running it again")
    tracebacks = log_path.read_text().count("Traceback")
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  gunicorn {args.workers} workers, "
        f"production settings, PostgreSQL, {time.monotonic() - started:.0f} s\n"
    )
    print("| race | rounds | requests | orders created | server errors (5xx) | responses | other |")
    print("|---|---|---|---|---|---|---|")
    for name, r in reports.items():
        errors = sum(n for status, n in r["statuses"].items() if isinstance(status, int) and status >= 500)
        other = ", ".join(
            f"{k}: {v}" for k, v in r.items() if k not in ("rounds", "attempts", "orders", "statuses")
        )
        responses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items(), key=str))
        print(
            f"| {name} | {r['rounds']} | {r['attempts']} | {r['orders']} | {errors} | {responses} | {other} |"
        )
    print(
        f"\ndeadlocks detected by PostgreSQL: {found}; transactions run again after a conflict: {retried}; "
        f"tracebacks in the server log: {tracebacks} ({log_path.relative_to(ROOT)})"
    )


if __name__ == "__main__":
    main()
