"""localstripe for the tests: a real fake-Stripe process, and signed webhook events.

The `localstripe` fixture (session scope, registered in tests/conftest.py) starts
payments.localstripe_server on a free port, waits until it answers, points the
STRIPE_* settings at it and stops it at the end.
"""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_SECRET = "whsec_peken_tests"
SECRET_KEY = "sk_test_peken_tests"
PUBLISHABLE_KEY = "pk_test_peken_tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalStripe:
    url: str

    def _post(self, path: str, data: dict, *, key: str | None = None) -> dict:
        request = urllib.request.Request(self.url + path, data=json.dumps(data).encode(), method="POST")
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def webhook_register(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """Deliver every event from now on to `url`, signed with `secret`."""
        self._post("/_config/webhooks/peken", {"url": url, "secret": secret})

    def card_confirm(self, client_secret: str, number: str) -> tuple[int, dict]:
        """Confirm a PaymentIntent with a card, as Stripe.js does from the browser (publishable key)."""
        intent_id = client_secret.split("_secret_")[0]
        data = {
            "key": PUBLISHABLE_KEY,
            "client_secret": client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        }
        try:
            return 200, self._post(f"/v1/payment_intents/{intent_id}/confirm", data)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    port = _free_port()
    log = (tmp_path_factory.mktemp("localstripe") / "localstripe.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.localstripe_server", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url + "/js.stripe.com/v3/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"localstripe did not start on {url}; see {log.name}")
            time.sleep(0.1)
    with override_settings(
        STRIPE_API_BASE=url,
        STRIPE_JS_URL=url + "/js.stripe.com/v3/",
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    ):
        yield LocalStripe(url)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def signed_event(
    event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, signed the way Stripe signs them."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def intent_event(event_id: str, event_type: str, *, intent_id: str, amount_minor: int, **extra) -> dict:
    """A payment_intent.* event as Stripe sends it (the fields Peken reads)."""
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount_minor,
                "currency": "idr",
                **extra,
            }
        },
    }
