"""Stripe's webhook: signature checked, each event applied once, in any order, and nothing unknown."""

import logging
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from payments import gateway, services
from payments.models import Payment, PaymentStatus, PaymentStatusChange, StripeEvent
from tests.factories import PaymentFactory
from tests.stripe_server import WEBHOOK_SECRET, intent_event, signed_event

URL = "/pembayaran/stripe/webhook/"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def deliver(client, event: dict, **signing) -> int:
    body, signature = signed_event(event, **signing)
    response = client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
    return response.status_code


def succeeded(payment, event_id="evt_ok1"):
    return intent_event(
        event_id, "payment_intent.succeeded", intent_id=payment.intent_id, amount_minor=1_500_000
    )


@pytest.mark.django_db
def test_the_url_is_the_documented_one():
    assert reverse("payments:stripe-webhook") == URL


@pytest.mark.django_db
def test_a_signed_succeeded_event_marks_the_payment_paid(client):
    # given a payment waiting for Stripe
    payment = PaymentFactory()
    # when Stripe reports its intent succeeded
    status = deliver(client, succeeded(payment))
    # then the payment is paid, the move is recorded with the event as its source, and the event is kept
    assert status == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    change = payment.status_changes.get()
    assert (change.old_status, change.new_status, change.source) == ("dibuat", "berhasil", "stripe evt_ok1")
    assert StripeEvent.objects.get(event_id="evt_ok1").processed_at is not None


@pytest.mark.django_db
def test_the_same_event_twice_has_the_effect_of_once(client, monkeypatch):
    # given a payment and a succeeded event already delivered
    payment = PaymentFactory()
    calls = []
    monkeypatch.setitem(
        services.EVENT_HANDLERS,
        "payment_intent.succeeded",
        _counting(services.EVENT_HANDLERS["payment_intent.succeeded"], calls),
    )
    assert deliver(client, succeeded(payment)) == 200
    # when Stripe delivers it again
    response_status = deliver(client, succeeded(payment))
    # then it is acknowledged, and nothing was applied the second time
    assert response_status == 200
    assert len(calls) == 1
    assert StripeEvent.objects.count() == 1
    assert PaymentStatusChange.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_a_failure_arriving_after_success_does_not_undo_it(client):
    # given a paid payment
    payment = PaymentFactory()
    assert deliver(client, succeeded(payment)) == 200
    # when an older "payment_failed" and a "canceled" event arrive late
    late_failure = intent_event(
        "evt_late",
        "payment_intent.payment_failed",
        intent_id=payment.intent_id,
        amount_minor=1_500_000,
        last_payment_error={"code": "card_declined"},
    )
    assert deliver(client, late_failure) == 200
    canceled = intent_event(
        "evt_cancel", "payment_intent.canceled", intent_id=payment.intent_id, amount_minor=1_500_000
    )
    assert deliver(client, canceled) == 200
    # then it is still paid, with only the one move recorded
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.status_changes.count() == 1


@pytest.mark.django_db
def test_a_failed_attempt_then_success_on_the_same_intent_ends_paid(client):
    # given a payment whose first card was declined
    payment = PaymentFactory()
    failed = intent_event(
        "evt_f1",
        "payment_intent.payment_failed",
        intent_id=payment.intent_id,
        amount_minor=1_500_000,
        last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds"},
    )
    assert deliver(client, failed) == 200
    payment.refresh_from_db()
    assert (payment.status, payment.last_error_code) == (PaymentStatus.FAILED, "insufficient_funds")
    # when the buyer's second card succeeds
    assert deliver(client, succeeded(payment, "evt_ok2")) == 200
    # then it is paid
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert list(payment.status_changes.values_list("new_status", flat=True)) == ["gagal", "berhasil"]


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["wrong secret", "body changed", "stale", "no header", "garbage header"])
def test_a_bad_signature_is_refused_with_400_and_logged(client, caplog, tamper):
    # given a succeeded event for a real payment, signed wrongly or tampered with
    payment = PaymentFactory()
    event = succeeded(payment)
    secret = "whsec_someone_else" if tamper == "wrong secret" else WEBHOOK_SECRET
    timestamp = int(time.time()) - 3600 if tamper == "stale" else None
    body, signature = signed_event(event, secret=secret, timestamp=timestamp)
    if tamper == "body changed":
        body = body.replace(b"1500000", b"100")
    headers = (
        {}
        if tamper == "no header"
        else {"HTTP_STRIPE_SIGNATURE": "t=1,v1=deadbeef" if tamper == "garbage header" else signature}
    )
    # when it is posted
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        response = client.post(URL, body, content_type="application/json", **headers)
    # then it is refused, logged, and changes nothing
    assert response.status_code == 400
    assert any("bad signature" in record.getMessage() for record in caplog.records)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_an_event_for_an_unknown_intent_is_refused_with_400_and_logged(client, caplog):
    # given a correctly signed event about an intent Peken never created
    event = intent_event(
        "evt_stranger", "payment_intent.succeeded", intent_id="pi_not_ours", amount_minor=100
    )
    # when it is posted
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        status = deliver(client, event)
    # then it is refused and logged, and not recorded (a later delivery is judged afresh)
    assert status == 400
    assert any("pi_not_ours" in record.getMessage() for record in caplog.records)
    assert not StripeEvent.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_signed_payload_is_refused(client, caplog):
    # given a validly signed body that is not an event
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        status = deliver(client, {"hello": "world"})
    assert status == 400
    assert any("unreadable" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_other_event_types_are_acknowledged_and_change_nothing(client):
    payment = PaymentFactory()
    event = intent_event("evt_created", "payment_intent.created", intent_id=payment.intent_id, amount_minor=1)
    assert deliver(client, event) == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED


@pytest.mark.django_db
def test_refund_events_raise_the_refunded_amount_idempotently(client):
    # given a paid payment of Rp15.000
    payment = PaymentFactory()
    assert deliver(client, succeeded(payment)) == 200

    def refunded(event_id, minor):
        return {
            "id": event_id,
            "type": "charge.refunded",
            "data": {
                "object": {
                    "id": "ch_1",
                    "object": "charge",
                    "payment_intent": payment.intent_id,
                    "amount": 1_500_000,
                    "amount_refunded": minor,
                }
            },
        }

    # when Stripe reports Rp5.000 refunded, then (out of order) the total of Rp15.000, then the Rp5.000 again
    assert deliver(client, refunded("evt_r1", 500_000)) == 200
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (5000, PaymentStatus.PARTIALLY_REFUNDED)
    assert deliver(client, refunded("evt_r2", 1_500_000)) == 200
    assert deliver(client, refunded("evt_r3", 500_000)) == 200
    # then the payment is refunded in full, never counted twice nor lowered
    payment.refresh_from_db()
    assert (payment.amount_refunded, payment.status) == (15000, PaymentStatus.REFUNDED)


def _counting(handler, calls, pause: float = 0.0):
    def counted(obj, *, source):
        calls.append(source)
        handler(obj, source=source)
        time.sleep(pause)  # hold the transaction open so a parallel delivery overlaps it

    return counted


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_have_the_effect_of_one(monkeypatch):
    # given a payment, and a handler slow enough that two deliveries overlap in PostgreSQL
    payment = PaymentFactory()
    calls = []
    monkeypatch.setitem(
        services.EVENT_HANDLERS,
        "payment_intent.succeeded",
        _counting(services.EVENT_HANDLERS["payment_intent.succeeded"], calls, pause=0.5),
    )
    body, signature = signed_event(succeeded(payment))
    start = threading.Barrier(2)
    results = []

    def deliver_in_own_transaction():
        try:
            start.wait()
            response = Client().post(
                URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
            )
            results.append((response.status_code, response.content))
        finally:
            connection.close()

    # when Stripe delivers the same event twice at once
    threads = [threading.Thread(target=deliver_in_own_transaction) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then both are acknowledged, one applied it and the other found it handled
    assert sorted(results) == [(200, b"already handled"), (200, b"ok")]
    assert len(calls) == 1
    assert StripeEvent.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert PaymentStatusChange.objects.filter(payment=payment).count() == 1


def _handled_event(event_type: str, intent_id: str) -> dict:
    """A well-formed event of a type Peken acts on, with every field its handler reads."""
    if event_type == "charge.refunded":
        obj = {"id": "ch_1", "object": "charge", "payment_intent": intent_id, "amount_refunded": 500_000}
    else:
        obj = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": 1_500_000,
            "currency": "idr",
            "last_payment_error": {"code": "card_declined"},
        }
    return {"id": f"evt_{event_type}", "type": event_type, "data": {"object": obj}}


# The fields each handled type's handler reads; a field that may be absent is only garbled.
NEEDED = {
    "payment_intent.succeeded": ["id", "amount"],
    "payment_intent.payment_failed": ["id"],
    "payment_intent.canceled": ["id"],
    "charge.refunded": ["payment_intent", "amount_refunded"],
}
MALFORMED = [
    (event_type, field, value)
    for event_type, fields in NEEDED.items()
    for field in fields
    for value in ("missing", None, "wrong kind")
] + [
    ("payment_intent.payment_failed", "last_payment_error", "wrong kind"),
    ("payment_intent.payment_failed", "last_payment_error", {"code": 42}),
]


def test_every_handled_event_type_has_its_fields_checked():
    assert set(gateway.EVENT_FIELDS) == set(services.EVENT_HANDLERS) == set(NEEDED)
    for event_type, fields in NEEDED.items():
        assert set(fields) <= set(gateway.EVENT_FIELDS[event_type])


@pytest.mark.django_db
@pytest.mark.parametrize(("event_type", "field", "value"), MALFORMED)
def test_a_signed_event_missing_a_field_it_needs_is_refused_with_400_and_logged(
    client, caplog, event_type, field, value
):
    # given a payment, and a correctly signed event about it that lacks (or garbles) a field its type needs
    payment = PaymentFactory()
    event = _handled_event(event_type, payment.intent_id)
    obj = event["data"]["object"]
    if value == "missing":
        del obj[field]
    elif value == "wrong kind":
        obj[field] = "banyak" if isinstance(obj[field], int) else ["x"]
    else:
        obj[field] = value
    # when Stripe's webhook posts it
    with caplog.at_level(logging.WARNING, logger="payments.views"):
        status = deliver(client, event)
    # then it is refused with a 400, logged as malformed naming the field, and nothing changed
    assert status == 400
    assert any("malformed" in r.getMessage() and field in r.getMessage() for r in caplog.records)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED
    assert not StripeEvent.objects.exists()
