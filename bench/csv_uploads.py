"""How long big CSV uploads take, through the real views (Django's test client, in-process).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peken_bench_csv \
        .venv/bin/python -m pytest bench/csv_uploads.py -q -s

Prints the time to refuse a 330,000-row file (under the 2 MB limit), the time to
preview and to apply 5,000 rows of prices and stock and to import 5,000 budget
lines, and the size of the error page of a 5,000-row file whose every row is
bad. Tasks run inline (CELERY_TASK_ALWAYS_EAGER), so "apply" is the worker's
time. Nothing here passes or fails on speed: the figures go in bench/RESULTS.md.
"""

import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from oscar.core.loading import get_model

from peken.models import ImportJob, ImportJobStatus
from procurement.models import BudgetLine
from procurement.statuses import Role
from sellers.stock_csv import stock_csv_parse
from tests.factories import ProductFactory, seller_create
from tests.procurement_factories import AgencyFactory, person_with_roles

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
ROWS = 5_000
BUDGET_HEADER = "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu"


def timed(label: str, call):
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    size = len(response.content) if hasattr(response, "content") else 0
    print(f"{label}: {elapsed:.2f} s, HTTP {response.status_code}, {size:,} bytes")
    return response


def upload(client, url, content: bytes, name: str, **data):
    return client.post(url, {**data, "file": SimpleUploadedFile(name, content, content_type="text/csv")})


@pytest.mark.django_db(transaction=True)
def test_csv_upload_timings():
    shop = seller_create(name="Toko Grosir", email="grosir@contoh.id")
    product_class = ProductFactory().product_class
    products = Product.objects.bulk_create(ProductFactory.build_batch(ROWS, product_class=product_class))
    StockRecord.objects.bulk_create(
        StockRecord(
            product=p, partner=shop, partner_sku=f"SKU-{i:05d}", price=Decimal(15000), num_in_stock=10
        )
        for i, p in enumerate(products)
    )
    seller = Client()
    seller.force_login(shop.users.get())
    stock_url = reverse("sellers:centre-stock-upload")

    huge = ("sku;harga;stok\n" + "a;1;1\n" * 330_000).encode()
    print(f"\n330,000-row file: {len(huge):,} bytes")

    def refuse():
        return upload(seller, stock_url, huge, "besar.csv")

    timed("refuse 330,000 rows (stock page, first request)", refuse)
    timed("refuse 330,000 rows (stock page, again)", refuse)
    with override_settings(PEKEN_CSV_MAX_ROWS=10**9):  # as before the limit: every row checked
        timed("330,000 rows without the row limit (every row checked, 50 errors shown)", refuse)
    started = time.perf_counter()
    assert stock_csv_parse(huge)[1][0][0] == 0
    print(f"refuse 330,000 rows (the reader alone): {time.perf_counter() - started:.3f} s")

    bad = ("sku;harga;stok\n" + "".join(f"SKU-{i:05d};murah;1\n" for i in range(ROWS))).encode()
    timed("5,000 bad rows, error page", lambda: upload(seller, stock_url, bad, "salah.csv"))

    good = (
        "sku;harga;stok\n" + "".join(f"SKU-{i:05d};{16000 + i};{20 + i % 7}\n" for i in range(ROWS))
    ).encode()
    preview = timed("preview 5,000 stock rows", lambda: upload(seller, stock_url, good, "stok.csv"))
    confirm = reverse("sellers:centre-stock-confirm")
    timed(
        "apply 5,000 stock rows (a job, run inline)",
        lambda: seller.post(confirm, {"digest": preview.context["digest"]}),
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.DONE, job.errors
    worker = (job.date_finished - job.date_started).total_seconds()
    print(f"  job: {job.rows_done} rows, {worker:.2f} s in the worker")

    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin@contoh.id")
    official = Client()
    official.force_login(admin)
    rows = [
        f"1.02.02.2.02.{i // 100:04d};Sub kegiatan {i // 100};5.1.02.01.01.{i % 100:04d};Belanja {i};DAU;"
        f"{1_000_000 + i}"
        for i in range(ROWS)
    ]
    budget = ("\r\n".join([BUDGET_HEADER, *rows]) + "\r\n").encode()
    budget_url = reverse("procurement:opd-budget-import", kwargs={"code": agency.code})
    timed(
        "import 5,000 budget lines (checked in the request, applied by a job run inline)",
        lambda: upload(official, budget_url, budget, "dpa.csv", fiscal_year=2026),
    )
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportJobStatus.DONE, job.errors
    worker = (job.date_finished - job.date_started).total_seconds()
    print(f"  job: {job.rows_done} rows, {worker:.2f} s in the worker")
    assert BudgetLine.objects.filter(agency=agency).count() == ROWS
