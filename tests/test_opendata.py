"""Official purchases as open data (OCDS 1.1): releases as an order moves, packages, the bulk file, the page.

Every package is checked against the OCDS 1.1 schemas in opendata/schema/ (tests/ocds_schema.py),
and the bulk file is compiled into records by ocdskit, as a reader of the city's data would.
"""

from datetime import timedelta
from decimal import Decimal

import ocdsmerge
import pytest
from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from ocdskit.combine import merge
from oscar.core.loading import get_model

from opendata import releases, selectors, tasks
from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from peken import demo
from peken.money import rupiah_format
from procurement.models import OfficialPayment
from procurement.services import ReceivedLine, goods_receipt_record, official_payment_record
from procurement.statuses import OfficialPaymentStatus, PaymentMethod
from tests import ocds_schema
from tests.factories import UserFactory, order_create
from tests.fulfilment_world import approved, delivered, fulfilment_world, sent
from tests.reports_world import other_agency, paid, shop

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


def _receive_all(world, order, *, on=None):
    lines = {line.pk: ReceivedLine(line.quantity, line.quantity) for line in order.lines.all()}
    on = on or timezone.localdate()
    return goods_receipt_record(order=order, actor=world.ppk, received_on=on, lines=lines)


def _pay(world, order, *, method=PaymentMethod.UP_TRANSFER, on=None):
    on = on or timezone.localdate()
    return official_payment_record(
        order=order,
        actor=world.treasurer,
        method=method,
        paid_on=on,
        bank_reference=f"TRX-{order.number}",
        sp2d_number=f"0001/SP2D/LS/{order.number}",
        sp2d_date=on,
    )


def _ocid(order) -> str:
    return f"{settings.PEKEN_OCDS_PREFIX}-{order.number}"


def _valid_release(release: dict) -> None:
    package = releases.release_package(releases=[release], uri="https://example.com/x.json")
    assert ocds_schema.errors(package, "release-package-schema.json") == []
    assert ocds_schema.codelist_errors(release) == []


@pytest.fixture
def world(db):
    return fulfilment_world()


def test_an_order_s_releases_grow_as_it_moves_and_never_change(world, django_capture_on_commit_callbacks):
    # given an approved requisition of two shops (the PP approved it: the orders are placed)
    with django_capture_on_commit_callbacks(execute=True):
        requisition = approved(world)
    ani = Order.objects.get(checkout_reference=requisition.reference, seller=world.ani)

    # then Bu Ani's process has one release: planning, tender, award and contract, both pending
    (placed,) = releases.order_releases(order=ani)
    assert placed["ocid"] == _ocid(ani) and placed["id"] == f"{_ocid(ani)}-placed"
    assert placed["tag"] == ["planning", "tender", "award", "contract"]
    assert placed["date"] == timezone.localtime(ani.date_placed).isoformat(timespec="seconds")
    assert placed["awards"][0]["status"] == placed["contracts"][0]["status"] == "pending"
    tender = placed["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodDetails"].startswith("Pengadaan langsung")
    assert tender["mainProcurementCategory"] == "goods"
    assert [(i["description"], i["quantity"], i["unit"]["value"]["amount"]) for i in tender["items"]] == [
        ("Beras Premium 5 kg", 30, 75000),
        ("Minyak Goreng 2 L", 10, 36000),
    ]
    for item in tender["items"]:
        assert item["classification"]["scheme"] == releases.ITEM_SCHEME and item["classification"]["id"]
        assert item["unit"]["scheme"] == "UNCEFACT" and item["unit"]["value"]["currency"] == "IDR"
    # the value includes the PPN a PKP seller invoices: 2.610.000 + 11%
    assert placed["awards"][0]["value"] == {"amount": 2_897_100, "currency": "IDR"}
    budget = placed["planning"]["budget"]
    assert budget["amount"] == placed["awards"][0]["value"] and budget["projectID"] == "41552026"
    assert world.line.account_code in budget["description"]
    roles = {p["name"]: p["roles"] for p in placed["parties"]}
    assert roles == {world.agency.name: ["buyer", "procuringEntity"], world.ani.name: ["supplier"]}
    assert placed["buyer"]["name"] == placed["tender"]["procuringEntity"]["name"] == world.agency.name
    _valid_release(placed)
    # and the caterer's process is services
    darto = Order.objects.get(checkout_reference=requisition.reference, seller=world.darto)
    assert releases.order_releases(order=darto)[0]["tender"]["mainProcurementCategory"] == "services"

    # when the seller accepts and sends it (its contract document, a nota by its value, is issued)
    with django_capture_on_commit_callbacks(execute=True):
        sent(ani)
    accepted = releases.order_releases(order=ani)
    # then the first release is unchanged and the acceptance and the signed contract follow
    assert accepted[0] == placed
    assert [r["tag"] for r in accepted[1:]] == [["awardUpdate", "contractUpdate"], ["contractUpdate"]]
    contract = accepted[-1]["contracts"][0]
    assert contract["status"] == "active" and accepted[-1]["awards"][0]["status"] == "active"
    (signed,) = contract["documents"]
    assert signed["documentType"] == "contractSigned" and signed["id"].startswith("NOTA/")
    assert signed["url"].endswith(f"/verifikasi/{ani.official_documents.get(kind='nota').code}/")
    assert contract["dateSigned"] == signed["datePublished"]

    # when the PPK records the handover (BAST)
    with django_capture_on_commit_callbacks(execute=True):
        _receive_all(world, ani)
    received = releases.order_releases(order=ani)
    assert received[: len(accepted)] == accepted
    (bast,) = received[len(accepted) :]
    assert bast["tag"] == ["implementation"]
    (certificate,) = bast["contracts"][0]["implementation"]["documents"]
    assert certificate["documentType"] == "completionCertificate" and certificate["id"].startswith("BAST/")

    # when the treasurer pays it by transfer
    with django_capture_on_commit_callbacks(execute=True):
        payment = _pay(world, Order.objects.get(pk=ani.pk))
    moved = releases.order_releases(order=ani)
    # then a payment release follows (the kuitansi of a nota-band purchase is not its contract)
    assert moved[: len(received)] == received
    (paid_release,) = moved[len(received) :]
    assert paid_release["id"] == f"{_ocid(ani)}-payment-{payment.pk}"
    assert paid_release["tag"] == ["implementation", "contractTermination"]
    (transaction,) = paid_release["contracts"][0]["implementation"]["transactions"]
    assert transaction["value"] == {"amount": int(payment.gross), "currency": "IDR"}
    assert transaction["payer"]["name"] == world.agency.name
    assert transaction["payee"]["name"] == world.ani.name
    assert transaction["date"].startswith(payment.paid_on.isoformat())
    roles = {p["name"]: p["roles"] for p in paid_release["parties"]}
    assert roles[world.agency.name] == ["buyer", "procuringEntity", "payer"]
    assert roles[world.ani.name] == ["supplier", "payee"]
    assert paid_release["contracts"][0]["status"] == "terminated"
    # every release is valid, dated in order, with its own id, and built again the same
    dates = [r["date"] for r in moved]
    assert dates == sorted(dates) and len({r["id"] for r in moved}) == len(moved)
    for release in moved:
        _valid_release(release)
    assert releases.order_releases(order=ani) == moved


def test_a_payment_through_the_city_treasury_names_it_as_payer(world, django_capture_on_commit_callbacks):
    # given Bu Ani's order delivered and received whole
    with django_capture_on_commit_callbacks(execute=True):
        bought = delivered(world, items=[(world.beras, 4)])
        order = bought.orders[world.ani.pk]
        _receive_all(world, order)
        # when the city treasury pays it by SP2D (LS)
        _pay(world, Order.objects.get(pk=order.pk), method=PaymentMethod.LS)

    # then the payer is the city treasury, a party of its own, and the agency is not a payer
    last = releases.order_releases(order=order)[-1]
    parties = {p["id"]: p for p in last["parties"]}
    assert parties[releases.TREASURY_ID]["roles"] == ["payer"]
    assert "payer" not in parties[f"OPD-{world.agency.code}"]["roles"]
    (transaction,) = last["contracts"][0]["implementation"]["transactions"]
    assert transaction["payer"]["id"] == releases.TREASURY_ID
    # and a purchase this small has a nota as its contract document
    assert last["contracts"][0]["documents"][0]["id"].startswith("NOTA/")
    _valid_release(last)


def test_a_kuitansi_band_purchase_is_signed_by_its_kuitansi(world, django_capture_on_commit_callbacks):
    # given Bu Ani's order of Rp12.321.000 with PPN (the kuitansi band: no contract document of its own)
    with django_capture_on_commit_callbacks(execute=True):
        bought = delivered(world, items=[(world.beras, 100), (world.minyak, 100)])
        order = bought.orders[world.ani.pk]
        before = releases.order_releases(order=order)
        _receive_all(world, order)
        # when it is paid
        _pay(world, Order.objects.get(pk=order.pk))

    # then until payment its contract has no document, and the kuitansi issued at payment signs it
    assert before[-1]["contracts"][0]["value"]["amount"] == 12_321_000
    assert "documents" not in before[-1]["contracts"][0]
    last = releases.order_releases(order=order)[-1]
    assert last["tag"] == ["contractUpdate"]
    (signed,) = last["contracts"][0]["documents"]
    assert signed["documentType"] == "contractSigned" and signed["id"].startswith("KWT/")
    _valid_release(last)


def test_an_e_purchasing_city_says_so(world, settings, django_capture_on_commit_callbacks):
    # given a city that buys through its local e-catalogue
    settings.PEKEN_PROCUREMENT_CHANNEL = "e_purchasing"
    with django_capture_on_commit_callbacks(execute=True):
        bought = delivered(world, items=[(world.beras, 2)])
    # then the process names e-purchasing, still a direct method, signed by a surat pesanan
    last = releases.order_releases(order=bought.orders[world.ani.pk])[-1]
    assert last["tender"]["procurementMethod"] == "direct"
    assert last["tender"]["procurementMethodDetails"].startswith("E-purchasing")
    assert last["contracts"][0]["documents"][0]["id"].startswith("SPS/")


def test_a_rejected_order_is_published_with_its_award_cancelled(world, django_capture_on_commit_callbacks):
    # given an approved order the seller rejects
    with django_capture_on_commit_callbacks(execute=True):
        requisition = approved(world, items=[(world.nasi, 10)])
        order = Order.objects.get(checkout_reference=requisition.reference)
        order_status_change(
            order=order,
            actor=world.darto.users.first(),
            party=Party.SELLER,
            status=OrderStatus.REJECTED,
            reason="Dapur tutup",
        )

    # then its releases end in an award cancellation
    placed, rejected = releases.order_releases(order=order)
    assert rejected["id"].endswith("-rejected") and rejected["tag"] == ["awardCancellation"]
    assert rejected["awards"][0]["status"] == rejected["contracts"][0]["status"] == "cancelled"
    _valid_release(rejected)


def test_the_packages_of_a_process_validate_and_its_record_is_ocdsmerge_s(
    world, client, django_capture_on_commit_callbacks
):
    # given an order approved, delivered, received and paid
    with django_capture_on_commit_callbacks(execute=True):
        bought = paid(world, items=[(world.beras, 10), (world.nasi, 20)])
    order = bought.orders[world.ani.pk]
    ocid = _ocid(order)

    # when anyone (not signed in) asks for its release package
    response = client.get(reverse("opendata:release-package", kwargs={"ocid": ocid}))
    # then it is JSON, valid against the release package schema, holding every release
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = response.json()
    assert ocds_schema.errors(package, "release-package-schema.json") == []
    assert [r["id"] for r in package["releases"]] == [r["id"] for r in releases.order_releases(order=order)]
    assert package["uri"].endswith(f"/data-terbuka/proses/{ocid}/rilis.json")
    assert package["publishedDate"] == package["releases"][-1]["date"]

    # when they ask for its record package
    response = client.get(reverse("opendata:record-package", kwargs={"ocid": ocid}))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    record_package = response.json()
    # then it is valid, its releases linked to the release package, its compiled release ocdsmerge's
    assert ocds_schema.errors(record_package, "record-package-schema.json") == []
    (record,) = record_package["records"]
    assert [link["url"] for link in record["releases"]] == [
        f"{package['uri']}#{r['id']}" for r in package["releases"]
    ]
    merger = ocdsmerge.Merger(schema=ocds_schema.schema("release-schema.json"))
    assert record["compiledRelease"] == merger.create_compiled_release(package["releases"])
    assert record["compiledRelease"]["contracts"][0]["implementation"]["transactions"]

    # and an ocid of no process, or of another publisher, is not found
    for missing in (f"{settings.PEKEN_OCDS_PREFIX}-RQ-0000-000000-1", f"ocds-other0-{order.number}"):
        assert client.get(reverse("opendata:release-package", kwargs={"ocid": missing})).status_code == 404


def test_the_bulk_file_says_when_it_is_not_built_then_holds_every_release_and_compiles(
    world, client, django_capture_on_commit_callbacks
):
    # given two processes (one paid) and a bulk file never built
    with django_capture_on_commit_callbacks(execute=True):
        bought = paid(world, items=[(world.beras, 10), (world.nasi, 20)])
    url = reverse("opendata:bulk")
    response = client.get(url)
    # then its address says so
    assert response.status_code == 404 and "belum disusun" in response.json()["detail"]
    assert "data-bulk-missing" in client.get(reverse("opendata:index")).content.decode()

    # when the nightly task builds it
    count = tasks.bulk_file_build.delay().get()

    # then it is served compressed, with when it was built
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert response["Last-Modified"] and "attachment" in response["Content-Disposition"]
    published = ocds_schema.bulk_releases(b"".join(response.streaming_content))
    expected = [r for order in bought.orders.values() for r in releases.order_releases(order=order)]
    assert len(published) == count == len(expected)
    assert sorted(r["id"] for r in published) == sorted(r["id"] for r in expected)
    for release in published:
        _valid_release(release)
    # and ocdskit compiles it into a valid record package, one record per process, as ours compile
    record_package = next(
        merge(
            published,
            schema=ocds_schema.schema("release-schema.json"),
            return_package=True,
            uri="https://example.com/records.json",
            published_date=max(r["date"] for r in published),
            publisher={"name": settings.PEKEN_CITY_NAME},
        )
    )
    assert ocds_schema.errors(record_package, "record-package-schema.json") == []
    compiled = {r["ocid"]: r["compiledRelease"] for r in record_package["records"]}
    assert set(compiled) == {_ocid(order) for order in bought.orders.values()}
    for order in bought.orders.values():
        ours = releases.compile_releases(releases=releases.order_releases(order=order))
        assert compiled[_ocid(order)] == ours
    # and the page says when it was built
    page = client.get(reverse("opendata:index")).content.decode()
    assert "data-bulk-link" in page and f"{count} rilis" in page

    # when it is built again from the same rows, the same bytes are written
    before = (selectors.bulk_dir() / selectors.BULK_FILE).read_bytes()
    tasks.bulk_file_build.delay().get()
    assert (selectors.bulk_dir() / selectors.BULK_FILE).read_bytes() == before


def test_the_bulk_file_is_rebuilt_nightly_by_beat():
    # given the beat schedule, then the bulk build runs once a night
    entry = settings.CELERY_BEAT_SCHEDULE["opendata-bulk-build"]
    assert entry["task"] == "opendata.tasks.bulk_file_build" == tasks.bulk_file_build.name
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {1}


def test_personal_orders_are_never_published(world, client, indonesia, django_capture_on_commit_callbacks):
    # given an official purchase, a shopper's own order and a guest's order from the same shop
    with django_capture_on_commit_callbacks(execute=True):
        requisition = approved(world, items=[(world.beras, 2)])
    record = world.beras.stockrecords.first()
    personal = order_create(user=UserFactory(email="warga@contoh.id"), lines=[(record, 3)], number="P-000101")
    guest = order_create(user=None, lines=[(record, 1)], number="P-000102")
    guest.checkout_reference = "CK-GUEST-1"
    guest.save(update_fields=["checkout_reference"])

    # then only the official order is a process
    official = Order.objects.get(checkout_reference=requisition.reference)
    assert list(selectors.official_orders()) == [official]
    # the personal ones have no packages
    for order in (personal, guest):
        url = reverse("opendata:release-package", kwargs={"ocid": _ocid(order)})
        assert client.get(url).status_code == 404
    # and the bulk file holds none of them
    tasks.bulk_file_build.delay().get()
    published = ocds_schema.bulk_releases((selectors.bulk_dir() / selectors.BULK_FILE).read_bytes())
    assert {r["ocid"] for r in published} == {_ocid(official)}
    page = client.get(reverse("opendata:index")).content.decode()
    assert _ocid(official) in page and "P-000101" not in page and "P-000102" not in page


def test_the_page_shows_the_spend_by_agency_and_month(world, client, django_capture_on_commit_callbacks):
    # given Dinkes paid today and 40 days ago, and another agency paid today
    today = timezone.localdate()
    earlier = today - timedelta(days=40)
    bappeda = other_agency(name="Bappeda", code="bappeda")
    seller, product = shop(name="Toko Alat Tulis Sinar", price=Decimal("20000"))
    with django_capture_on_commit_callbacks(execute=True):
        now_paid = paid(world, items=[(world.beras, 2)])
        old = delivered(world, items=[(world.minyak, 5)])
        old_order = old.orders[world.ani.pk]
        _receive_all(world, old_order, on=earlier)
        _pay(world, Order.objects.get(pk=old_order.pk), on=earlier)
        other = paid(bappeda, items=[(product, 3)])
    payments = OfficialPayment.objects.filter(status=OfficialPaymentStatus.PAID)
    assert payments.count() == 3

    # when anyone opens /data-terbuka/ for each payment's year
    for payment in payments.select_related("requisition__agency"):
        response = client.get(reverse("opendata:index"), {"tahun": payment.paid_on.year})
        assert response.status_code == 200
        page = response.content.decode()
        # then its agency's row of its month shows what was paid in it
        agency = payment.requisition.agency
        in_month = sum(
            p.gross
            for p in payments
            if p.requisition.agency_id == agency.pk
            and (p.paid_on.year, p.paid_on.month) == (payment.paid_on.year, payment.paid_on.month)
        )
        key = f'data-spend-row="{agency.code}-{payment.paid_on:%Y-%m}"'
        assert key in page
        row = page.split(key, 1)[1].split("</tr>", 1)[0]
        assert rupiah_format(in_month) in row
    # and this year's page links to each process's release package and to the bulk file
    page = client.get(reverse("opendata:index")).content.decode()
    for order in [*now_paid.orders.values(), old_order, *other.orders.values()]:
        if order.date_placed.year == today.year:
            assert reverse("opendata:release-package", kwargs={"ocid": _ocid(order)}) in page
    assert "data-published-note" in page and "data-unpublished-note" in page
    assert 'name="viewport"' in page  # the site's layout, which the 390 px phone layout stands on


def test_the_demo_s_official_purchases_are_published_and_compile(client, django_capture_on_commit_callbacks):
    # given the demo city with its purchases at every stage, its documents issued as after each commit
    with django_capture_on_commit_callbacks(execute=True):
        demo.demo_load()
    official = list(selectors.official_orders())
    assert official
    # the demo leaves a bulk file, so its page offers the download from the first visit
    assert selectors.bulk_file() is not None

    # when the bulk file is built again
    tasks.bulk_file_build.delay().get()
    published = ocds_schema.bulk_releases((selectors.bulk_dir() / selectors.BULK_FILE).read_bytes())

    # then every official order is a process, every release valid, a paid one with its transaction
    assert {r["ocid"] for r in published} == {_ocid(order) for order in official}
    for release in published:
        _valid_release(release)
    assert any(r["contracts"][0].get("implementation", {}).get("transactions") for r in published)
    assert any(
        d["documentType"] == "completionCertificate"
        for r in published
        for d in r["contracts"][0].get("implementation", {}).get("documents", [])
    )
    # and ocdskit compiles the file into a valid record package
    record_package = next(
        merge(
            published,
            schema=ocds_schema.schema("release-schema.json"),
            return_package=True,
            uri="https://example.com/records.json",
            published_date=max(r["date"] for r in published),
            publisher={"name": settings.PEKEN_CITY_NAME},
        )
    )
    assert ocds_schema.errors(record_package, "record-package-schema.json") == []
    assert len(record_package["records"]) == len(official)
    # and each process's packages validate as served
    for order in official:
        ocid = _ocid(order)
        package = client.get(reverse("opendata:release-package", kwargs={"ocid": ocid})).json()
        assert ocds_schema.errors(package, "release-package-schema.json") == []
        record = client.get(reverse("opendata:record-package", kwargs={"ocid": ocid})).json()
        assert ocds_schema.errors(record, "record-package-schema.json") == []
