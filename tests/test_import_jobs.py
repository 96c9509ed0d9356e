"""Large CSV uploads: a row limit, a short error page, and big imports applied by a Celery worker.

Both importers (a shop's prices and stock, an agency's budget lines) share the
reader (peken/csv_upload.py) and the background job (peken/imports.py). Tasks
run inline here (CELERY_TASK_ALWAYS_EAGER); the one ``worker`` test runs a real
worker process.
"""

import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from peken import imports
from peken.models import ImportJob, ImportJobStatus, ImportKind
from procurement.models import BudgetLine
from procurement.statuses import Role
from sellers import services as seller_services
from sellers.stock_csv import stock_csv_parse
from tests.factories import DEFAULT_PASSWORD, product_create, seller_create
from tests.procurement_factories import AgencyFactory, BudgetLineFactory, person_with_roles
from tests.test_celery_worker import celery_worker_process  # noqa: F401  (the real worker)

StockRecord = get_model("partner", "StockRecord")
StockUpdate = get_model("partner", "StockUpdate")

YEAR = 2026
BUDGET_HEADER = "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu"


def budget_csv(n: int, *, pagu: str = "1.000.000") -> bytes:
    rows = [
        f"1.02.02.2.02.0001;Pelayanan Kesehatan;5.1.02.01.01.{i:04d};Belanja {i};DAU;{pagu}"
        for i in range(1, n + 1)
    ]
    return ("\r\n".join([BUDGET_HEADER, *rows]) + "\r\n").encode()


@pytest.fixture
def shop(db):
    return seller_create(name="Warung Bu Tini", email="tini@contoh.id")


@pytest.fixture
def seller_client(shop):
    client = Client()
    assert client.login(username="tini@contoh.id", password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def stocked(shop):
    return [
        product_create(title=f"Gula Pasir {i} kg", partner=shop, price=15000, stock=10).stockrecords.get()
        for i in (1, 2, 3)
    ]


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Dinas Kesehatan", code="dinkes")


@pytest.fixture
def admin_user(agency):
    return person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    assert client.login(username=admin_user.email, password=DEFAULT_PASSWORD)
    return client


def stock_upload(client, content: bytes, name="stok-besar.csv"):
    return client.post(
        reverse("sellers:centre-stock-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def stock_rows(records, price=20000) -> bytes:
    lines = [
        "sku;judul;harga;stok",
        *(f"{r.partner_sku};x;{price + i};{5 + i}" for i, r in enumerate(records)),
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


# --- the row limit


def test_a_330000_row_file_under_2_mb_is_refused_at_once():
    # given the file that tied up a web worker for 80 s: 330,000 rows in under 2 MB
    content = ("sku;harga;stok\n" + "a;1;1\n" * 330_000).encode()
    assert len(content) < 2 * 1024 * 1024
    # when it is read with the default limit of 5,000 rows
    started = time.perf_counter()
    rows, errors = stock_csv_parse(content)
    elapsed = time.perf_counter() - started
    # then it is refused as a whole, with how to fix it, in well under a second
    assert rows == [] and errors == [(0, "Berkas lebih dari 5000 baris; bagi menjadi beberapa berkas.")]
    assert elapsed < 1.0, f"refusing took {elapsed:.2f} s"


def test_the_row_limit_is_a_setting_and_counts_rows_not_blank_lines(settings, shop, seller_client, stocked):
    # given a limit of 3 rows
    settings.PEKEN_CSV_MAX_ROWS = 3
    # when a file of exactly 3 rows and blank lines is uploaded, then it previews
    content = stock_rows(stocked) + b"\r\n;;\r\n\r\n"
    assert stock_upload(seller_client, content).context["preview"].unchanged == 0
    # when a fourth row is added, then the whole file is refused, and nothing is kept to confirm
    content = stock_rows(stocked) + b"ekstra;x;1000;1\r\n"
    response = stock_upload(seller_client, content)
    assert response.context["csv_errors"] == [(0, "Berkas lebih dari 3 baris; bagi menjadi beberapa berkas.")]
    assert "preview" not in response.context


# --- the error page


def test_the_stock_page_lists_the_first_50_bad_rows_and_counts_the_rest(shop, seller_client):
    # given a file of 120 rows, each with a price that is not a number
    content = ("sku;harga;stok\n" + "".join(f"SKU-{i};murah;1\n" for i in range(120))).encode()
    # when it is uploaded
    response = stock_upload(seller_client, content)
    page = response.content.decode()
    # then the page names 120 problems, lists 50 of them, and counts the 70 others
    assert "120 masalah, tidak ada baris yang diterapkan" in page
    assert page.count("bukan bilangan bulat rupiah") == 50
    assert "Baris 51:" in page and "Baris 52:" not in page
    assert "dan 70 baris lain bermasalah" in page


def test_the_budget_page_lists_the_first_50_bad_rows_and_counts_the_rest(agency, admin_client):
    # given a budget file of 200 rows with a pagu that is not a number
    content = budget_csv(200, pagu="banyak")
    # when it is uploaded
    response = admin_client.post(
        reverse("procurement:opd-budget-import", kwargs={"code": agency.code}),
        {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa.csv", content)},
    )
    page = response.content.decode()
    # then 50 are listed, the other 150 counted, and nothing is created
    assert "200 masalah" in page and page.count("bukan bilangan bulat rupiah") == 50
    assert "dan 150 baris lain bermasalah" in page
    assert len(response.content) < 60_000
    assert not BudgetLine.objects.exists()


# --- big imports in the background


def test_a_big_stock_file_is_applied_by_a_job_that_records_who_and_what(
    settings, shop, seller_client, stocked, django_capture_on_commit_callbacks
):
    # given a background threshold of 2 rows and a previewed file of 3
    settings.PEKEN_CSV_BACKGROUND_ROWS = 2
    preview = stock_upload(seller_client, stock_rows(stocked))
    # when the seller confirms it (the task runs inline once the job is committed)
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(
            reverse("sellers:centre-stock-confirm"), {"digest": preview.context["digest"]}
        )
    # then they are sent to the job's page, and the job records who, what, and that it is done
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("sellers:centre-stock-job", kwargs={"pk": job.pk})
    assert (job.kind, job.owner, job.actor, job.file_name) == (
        ImportKind.STOCK_CSV,
        shop,
        shop.users.get(),
        "stok-besar.csv",
    )
    assert (job.status, job.rows_done, job.rows_total) == (ImportJobStatus.DONE, 3, 3)
    assert job.date_started and job.date_finished and bytes(job.content) == b""
    update = StockUpdate.objects.get()
    assert job.result == {"rows_applied": 3, "stock_update": update.pk}
    # and every row is applied
    assert [
        (r.price, r.num_in_stock)
        for r in StockRecord.objects.filter(pk__in=[s.pk for s in stocked]).order_by("pk")
    ] == [(20000, 5), (20001, 6), (20002, 7)]
    # and the page shows the result, the status endpoint that it has finished
    page = seller_client.get(response["Location"]).content.decode()
    assert "3 baris diubah dari stok-besar.csv." in page
    assert reverse("sellers:centre-stock-update", kwargs={"pk": update.pk}) in page
    status = seller_client.get(reverse("sellers:centre-stock-job-status", kwargs={"pk": job.pk})).json()
    assert status == {
        "status": "done",
        "status_label": "Selesai",
        "rows_done": 3,
        "rows_total": 3,
        "percent": 100,
        "finished": True,
    }


def test_a_small_stock_file_is_still_applied_at_once(settings, shop, seller_client, stocked):
    # given the threshold at the file's 3 rows
    settings.PEKEN_CSV_BACKGROUND_ROWS = 3
    preview = stock_upload(seller_client, stock_rows(stocked))
    # when it is confirmed, then it applies in the request and no job is made
    response = seller_client.post(
        reverse("sellers:centre-stock-confirm"), {"digest": preview.context["digest"]}
    )
    update = StockUpdate.objects.get()
    assert response["Location"] == reverse("sellers:centre-stock-update", kwargs={"pk": update.pk})
    assert not ImportJob.objects.exists()


def test_a_stock_job_whose_stock_changed_after_the_preview_fails_and_applies_nothing(
    settings, shop, seller_client, stocked, django_capture_on_commit_callbacks
):
    # given a previewed big file, then an order takes a unit of the first product
    settings.PEKEN_CSV_BACKGROUND_ROWS = 2
    preview = stock_upload(seller_client, stock_rows(stocked))
    StockRecord.objects.filter(pk=stocked[0].pk).update(num_in_stock=9)
    # when the seller confirms it
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(
            reverse("sellers:centre-stock-confirm"), {"digest": preview.context["digest"]}
        )
    # then the job failed with the reason, and no price or stock changed
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED and job.errors_total == 1
    assert "berubah sejak pratinjau" in job.errors[0][1]
    prices = StockRecord.objects.filter(pk__in=[s.pk for s in stocked]).values_list("price", flat=True)
    assert set(prices) == {15000}
    assert not StockUpdate.objects.exists()
    assert "berubah sejak pratinjau" in seller_client.get(response["Location"]).content.decode()


def test_a_big_budget_file_is_applied_by_a_job(
    settings, agency, admin_user, admin_client, django_capture_on_commit_callbacks
):
    # given a background threshold of 2 rows and a good file of 3
    settings.PEKEN_CSV_BACKGROUND_ROWS = 2
    url = reverse("procurement:opd-budget-import", kwargs={"code": agency.code})
    # when the agency admin uploads it
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url, {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa-besar.csv", budget_csv(3))}
        )
    # then a job applied it and recorded who, what and the counts
    job = ImportJob.objects.get()
    assert response["Location"] == reverse(
        "procurement:opd-budget-job", kwargs={"code": agency.code, "pk": job.pk}
    )
    assert (job.kind, job.owner, job.actor, job.file_name, job.status) == (
        ImportKind.BUDGET_CSV,
        agency,
        admin_user,
        "dpa-besar.csv",
        ImportJobStatus.DONE,
    )
    assert job.result == {"fiscal_year": YEAR, "created": 3, "updated": 0, "unchanged": 0}
    assert BudgetLine.objects.filter(agency=agency, fiscal_year=YEAR).count() == 3
    page = admin_client.get(response["Location"]).content.decode()
    assert "dpa-besar.csv diterapkan untuk tahun 2026: 3 baris baru, 0 diubah, 0 tetap." in page
    status_url = reverse("procurement:opd-budget-job-status", kwargs={"code": agency.code, "pk": job.pk})
    assert admin_client.get(status_url).json()["finished"] is True


def test_a_budget_job_refused_under_its_locks_keeps_the_problems_and_applies_nothing(agency, admin_user):
    # given a line that has committed 5.000.000, and a file lowering its pagu to 1.000.000
    BudgetLineFactory(
        agency=agency,
        fiscal_year=YEAR,
        sub_activity="1.02.02.2.02.0001 Pelayanan Kesehatan",
        account_code="5.1.02.01.01.0001",
        description="Belanja 1",
        funding_source="DAU",
        ceiling=10_000_000,
        committed=5_000_000,
    )
    job = imports.import_job_start(
        kind=ImportKind.BUDGET_CSV,
        owner=agency,
        actor=admin_user,
        file_name="dpa.csv",
        content=budget_csv(2),
        rows_total=2,
        params={"fiscal_year": YEAR, "ip": None},
    )
    # when a worker runs it
    job = imports.import_job_run(job_id=job.pk)
    # then it failed with the row's problem, and the new line of row 3 was not created either
    assert job.status == ImportJobStatus.FAILED
    assert job.errors_total == 1 and job.errors[0][0] == 2 and "lebih kecil" in job.errors[0][1]
    assert BudgetLine.objects.filter(agency=agency).count() == 1


def test_a_job_run_twice_applies_once(shop, stocked):
    # given a big stock job, run once
    seen = seller_services.stock_csv_preview(seller=shop, content=stock_rows(stocked)).seen
    job = imports.import_job_start(
        kind=ImportKind.STOCK_CSV,
        owner=shop,
        actor=shop.users.get(),
        file_name="stok.csv",
        content=stock_rows(stocked),
        rows_total=3,
        params={"seen": seen},
    )
    assert imports.import_job_run(job_id=job.pk).status == ImportJobStatus.DONE
    # when the task is delivered again, then nothing more happens
    assert imports.import_job_run(job_id=job.pk).status == ImportJobStatus.DONE
    assert StockUpdate.objects.count() == 1


def test_progress_is_shown_while_the_job_runs_and_a_crash_fails_it_with_nothing_applied(
    shop, stocked, monkeypatch
):
    # given a stock job whose apply reports 2 rows done, then breaks
    seen = seller_services.stock_csv_preview(seller=shop, content=stock_rows(stocked)).seen
    job = imports.import_job_start(
        kind=ImportKind.STOCK_CSV,
        owner=shop,
        actor=shop.users.get(),
        file_name="stok.csv",
        content=stock_rows(stocked),
        rows_total=3,
        params={"seen": seen},
    )
    seen_midway = {}

    def runner(job, progress):
        seller_services.stock_csv_job_apply(job, progress)  # writes every row ...
        progress(2)
        seen_midway.update(imports.import_job_progress(job=ImportJob.objects.get(pk=job.pk)))
        raise RuntimeError("the worker's database connection was cut")  # ... then fails

    monkeypatch.setitem(imports._RUNNERS, ImportKind.STOCK_CSV, runner)
    # when a worker runs it
    job = imports.import_job_run(job_id=job.pk)
    # then the bar read 2 of 3 while it ran
    assert seen_midway == {
        "status": "running",
        "status_label": "Sedang diterapkan",
        "rows_done": 2,
        "rows_total": 3,
        "percent": 66,
        "finished": False,
    }
    # and the job failed with a plain message, and the rows it had written were rolled back
    assert job.status == ImportJobStatus.FAILED and job.errors[0][0] == 0
    assert "tidak ada yang diubah" in job.errors[0][1]
    assert not StockUpdate.objects.exists()
    assert set(StockRecord.objects.filter(partner=shop).values_list("num_in_stock", flat=True)) == {10}
    assert cache.get(f"peken:import-job:{job.pk}:rows") is None


def test_a_shops_job_is_not_found_from_another_shop(shop, stocked):
    # given a job of shop A, and the owner of shop B signed in
    job = imports.import_job_start(
        kind=ImportKind.STOCK_CSV,
        owner=shop,
        actor=shop.users.get(),
        file_name="stok-rahasia.csv",
        content=b"",
        rows_total=3,
        params={},
    )
    seller_create(name="Toko Lain", email="lain@contoh.id")
    other = Client()
    assert other.login(username="lain@contoh.id", password=DEFAULT_PASSWORD)
    # when they ask for its page or its status, then it is not found
    for name in ("sellers:centre-stock-job", "sellers:centre-stock-job-status"):
        assert other.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_big_budget_file_is_applied_by_a_real_worker(settings, celery_worker_process):  # noqa: F811
    # given an agency admin and a background threshold of 2 rows
    settings.PEKEN_CSV_BACKGROUND_ROWS = 2
    agency = AgencyFactory(name="Dinas Kesehatan", code="dinkes")
    admin = person_with_roles(agency=agency, roles=[Role.AGENCY_ADMIN], email="admin.dinkes@contoh.id")
    client = Client()
    client.force_login(admin)
    # when they upload a file of 3 rows (the job is queued to Redis on commit)
    response = client.post(
        reverse("procurement:opd-budget-import", kwargs={"code": agency.code}),
        {"fiscal_year": YEAR, "file": SimpleUploadedFile("dpa.csv", budget_csv(3))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    # then the worker process applies it, and the status endpoint says so
    status_url = reverse("procurement:opd-budget-job-status", kwargs={"code": agency.code, "pk": job.pk})
    deadline = time.monotonic() + 60
    while not client.get(status_url).json()["finished"]:
        assert celery_worker_process.poll() is None, "the Celery worker died"
        assert time.monotonic() < deadline, "the worker did not apply the import in 60 s"
        time.sleep(0.25)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.result["created"] == 3
    assert BudgetLine.objects.filter(agency=agency, fiscal_year=YEAR).count() == 3


def test_a_preview_of_many_changes_lists_warnings_first_and_counts_the_rest(
    monkeypatch, shop, seller_client, stocked
):
    # given a preview page that lists 2 rows, and a file changing 3, the last a price jump
    monkeypatch.setattr("sellers.centre.PREVIEW_SHOWN", 2)
    content = stock_rows(stocked[:2]) + f"{stocked[2].partner_sku};x;99000;10\r\n".encode()
    # when it is uploaded
    response = stock_upload(seller_client, content)
    # then the row with the warning comes first, one other row follows, and the third is counted
    assert [change.sku for change in response.context["changes_shown"]] == [
        stocked[2].partner_sku,
        stocked[0].partner_sku,
    ]
    assert "dan 1 baris lain berubah" in response.content.decode()
    assert stocked[1].partner_sku not in response.content.decode()
