"""Background work really runs: a Redis broker and a separate Celery worker process."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from peken.celery import app
from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.factories import product_create

CommunicationEvent = get_model("order", "CommunicationEvent")
Order = get_model("order", "Order")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def celery_worker_process():
    """A worker in its own process, on the test database, consuming from Redis."""
    broker = settings.CELERY_BROKER_URL
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peken.settings.test",
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
        ),
    }
    assert app.conf.broker_url == broker and broker.startswith("redis://")
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "peken",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        app.conf.task_always_eager = True
        print(output)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_order_confirmation_is_sent_by_a_real_worker(shopper_client, indonesia, celery_worker_process):
    # given a shopper at the preview page
    basket_add(shopper_client, product_create(title="Gula Pasir 1 kg"))
    checkout_to_preview(shopper_client)

    # when the order is placed (the email task is queued on commit to Redis)
    response = order_place(shopper_client)
    assert response.status_code == 302
    order = Order.objects.get()

    # then the worker process sends it and records the communication event
    deadline = time.monotonic() + 60
    while not CommunicationEvent.objects.filter(order=order).exists():
        assert celery_worker_process.poll() is None, "the Celery worker died"
        assert time.monotonic() < deadline, "the worker did not send the confirmation in 60 s"
        time.sleep(0.25)
    assert CommunicationEvent.objects.get(order=order).event_type.code == "ORDER_PLACED"
