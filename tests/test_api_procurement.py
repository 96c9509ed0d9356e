"""Official buying through the API: submit, approve step by step, return and revise, budget CSV,
receipts (BAST) and payments, with the pages' rules and services behind every call."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from rest_framework.test import APIClient

from api.services import api_token_create
from orders.statuses import OrderStatus
from peken.models import ImportJob, ImportJobStatus
from procurement.models import ApprovalDecision, BudgetLine, GoodsReceipt, OfficialPayment, Requisition
from procurement.statuses import Decision, RequisitionStatus, Role
from tests.access_world import access_world
from tests.factories import product_create, seller_create
from tests.fulfilment_world import delivered, fulfilment_world
from tests.procurement_factories import approval_world, person_with_roles

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
YEAR = timezone.localdate().year
HEADER = "kode_sub_kegiatan;nama_sub_kegiatan;kode_rekening;uraian;sumber_dana;pagu"
S = "1.02.02.2.02.0001;Pengelolaan Pelayanan Kesehatan Ibu Hamil"


def api(user, scopes=("procurement",)) -> APIClient:
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"sistem {'-'.join(scopes)}", scopes=list(scopes))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def url(name: str, **kwargs) -> str:
    return reverse(f"api:v1:{name}", kwargs=kwargs)


def submission(world, record, quantity: int = 10, **changes) -> dict:
    return {
        "agency": world.agency.pk,
        "budget_line": world.line.pk,
        "kode_rup": "41552026",
        "purpose": "Konsumsi rapat koordinasi posyandu",
        "delivery_address": "Puskesmas Jemursari, Jl. Jemursari No. 197",
        "needed_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "contact_phone": "0812-3456-7890",
        "lines": [{"stockrecord_id": record.pk, "quantity": quantity}],
        **changes,
    }


@pytest.fixture
def shop(db):
    seller = seller_create(name="Katering Pak Darto", email="darto@contoh.id")
    return product_create(
        title="Nasi Kotak Ayam Bakar", price=Decimal("25000"), partner=seller
    ).stockrecords.get()


def test_an_approval_through_the_api_step_by_step_with_segregation_of_duties(settings, shop):
    # given an agency whose policy needs the PP, the PPK and the PA/KPA for 250.000, and a person
    # holding both the PP and the PPK roles
    settings.PEKEN_APPROVAL_PP_LIMIT, settings.PEKEN_APPROVAL_PA_THRESHOLD = 100_000, 200_000
    world = approval_world()
    both = person_with_roles(
        agency=world.agency,
        roles=[Role.PROCUREMENT_OFFICIAL, Role.COMMITMENT_OFFICIAL],
        email="eko@dinkes.uji",
    )
    requester, dual, ppk, pa = api(world.requester), api(both), api(world.ppk), api(world.pa)

    # when the requester submits ten boxed meals through the API
    response = requester.post(url("procurement-requisitions"), submission(world, shop), format="json")

    # then a requisition waits for the PP at step 1 of 3, its basket submitted with it
    assert response.status_code == 201, response.json()
    body = response.json()
    reference = body["reference"]
    assert (body["status"], body["total"], body["round"]) == (RequisitionStatus.SUBMITTED, "250000", 1)
    assert [(s["position"], s["role"], s["current"]) for s in body["steps"]] == [
        (1, Role.PROCUREMENT_OFFICIAL, True),
        (2, Role.COMMITMENT_OFFICIAL, False),
        (3, Role.BUDGET_HOLDER, False),
    ]
    assert body["lines"][0]["stockrecord_id"] == shop.pk and body["lines"][0]["quantity"] == 10
    assert not Basket.objects.filter(owner=world.requester, status=Basket.OPEN).exists()
    assert [r["reference"] for r in requester.get(url("procurement-requisitions")).json()["results"]] == [
        reference
    ]

    # when the person holding both roles approves step 1, then it waits at step 2 in the PPK's inbox
    decide = url("procurement-decision", reference=reference)
    response = dual.post(decide, {"decision": Decision.APPROVE, "comment": "Sesuai RKA"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["waiting_at"]["position"] == 2
    assert [r["reference"] for r in ppk.get(url("procurement-inbox")).json()["results"]] == [reference]
    assert dual.get(url("procurement-inbox")).json()["results"] == []

    # when they try step 2 too, then segregation of duties refuses it (409) and nothing is recorded
    response = dual.post(decide, {"decision": Decision.APPROVE}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "approval_refused"
    assert "Pemisahan tugas" in response.json()["error"]["message"]
    assert ApprovalDecision.objects.filter(requisition__reference=reference).count() == 1

    # when the PPK and then the PA/KPA approve
    assert ppk.post(decide, {"decision": Decision.APPROVE}, format="json").status_code == 200
    response = pa.post(decide, {"decision": Decision.APPROVE, "comment": "Lanjut"}, format="json")

    # then it is approved, each step recorded with who decided it, and the seller order placed
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == RequisitionStatus.APPROVED and body["waiting_at"] is None
    assert [
        (s["position"], s["decision"]["actor"]["id"], s["decision"]["decision"]) for s in body["steps"]
    ] == [
        (1, both.pk, Decision.APPROVE),
        (2, world.ppk.pk, Decision.APPROVE),
        (3, world.pa.pk, Decision.APPROVE),
    ]
    assert [d["comment"] for d in body["decisions"]] == ["Sesuai RKA", "", "Lanjut"]
    assert len(body["orders"]) == 1 and body["orders"][0]["status"] == OrderStatus.NEW
    # and the requester reads the same through the detail route
    detail = requester.get(url("procurement-requisition", reference=reference)).json()
    assert detail["status"] == RequisitionStatus.APPROVED and detail["steps"] == body["steps"]


def test_a_submission_is_for_an_agency_the_person_requests_for_and_a_refusal_leaves_no_basket(shop):
    # given a requester, a PP of the same agency, and a budget line too small for the purchase
    world = approval_world(ceiling=Decimal("100000"))
    requester = api(world.requester)
    # when the PP submits for the agency, then 403: they are not its requester
    response = api(world.pp).post(url("procurement-requisitions"), submission(world, shop), format="json")
    assert response.status_code == 403
    # when the requester submits 250.000 against 100.000 available, then the service refuses it
    response = requester.post(url("procurement-requisitions"), submission(world, shop), format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "budget_exceeded"
    # and no requisition, and no open basket to be merged into the requester's own later
    assert not Requisition.objects.exists()
    assert not Basket.objects.filter(owner=world.requester).exists()
    # when an offer that does not exist is named, then 409 naming it, and a missing field is 400
    body = submission(world, shop, lines=[{"stockrecord_id": shop.pk + 1000, "quantity": 1}])
    response = requester.post(url("procurement-requisitions"), body, format="json")
    assert response.status_code == 409 and str(shop.pk + 1000) in response.json()["error"]["message"]
    body = submission(world, shop)
    del body["purpose"]
    response = requester.post(url("procurement-requisitions"), body, format="json")
    assert response.status_code == 400 and "purpose" in response.json()["error"]["fields"]


def test_a_return_and_a_revision_go_round_once(shop):
    # given a requisition of 10 meals submitted through the API, waiting for the PP only
    world = approval_world()
    requester, pp = api(world.requester), api(world.pp)
    reference = requester.post(
        url("procurement-requisitions"), submission(world, shop), format="json"
    ).json()["reference"]
    decide = url("procurement-decision", reference=reference)
    # when the PP returns it without a reason, then the comment field is named (400)
    response = pp.post(decide, {"decision": Decision.RETURN}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["error"]["fields"]
    # when the PP returns it with a reason
    response = pp.post(decide, {"decision": Decision.RETURN, "comment": "Kurangi jadi 8"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == RequisitionStatus.RETURNED

    # when the requester revises the quantity and the purpose (and it is resubmitted)
    detail = requester.get(url("procurement-requisition", reference=reference)).json()
    line = detail["lines"][0]["id"]
    response = requester.post(
        url("procurement-requisition-revise", reference=reference),
        {"purpose": "Konsumsi rapat, 8 peserta", "quantities": [{"line": line, "quantity": 8}]},
        format="json",
    )

    # then it waits for the PP again as round 2 with the new total, the return kept in its history
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["round"], body["total"]) == (RequisitionStatus.SUBMITTED, 2, "200000")
    assert body["purpose"] == "Konsumsi rapat, 8 peserta" and body["lines"][0]["quantity"] == 8
    assert [(d["round"], d["decision"], d["actor"]["id"]) for d in body["decisions"]] == [
        (1, Decision.RETURN, world.pp.pk)
    ]
    assert body["steps"][0]["decision"] is None and body["steps"][0]["current"]
    # and revising it again now that it is no longer returned is refused (409)
    again = requester.post(url("procurement-requisition-revise", reference=reference), {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "requisition_state_error"
    # and the PP approves round 2
    response = pp.post(decide, {"decision": Decision.APPROVE}, format="json")
    assert response.json()["status"] == RequisitionStatus.APPROVED
    assert response.json()["steps"][0]["decision"]["actor"]["id"] == world.pp.pk


def test_the_requester_cancels_a_waiting_requisition(shop):
    # given a submitted requisition
    world = approval_world()
    requester = api(world.requester)
    reference = requester.post(
        url("procurement-requisitions"), submission(world, shop), format="json"
    ).json()["reference"]
    cancel = url("procurement-requisition-cancel", reference=reference)
    # when the PP asks to cancel it, then 404: only its requester may
    assert api(world.pp).post(cancel, {"reason": "x"}, format="json").status_code == 404
    # when its requester cancels it with a reason, then it is cancelled
    response = requester.post(cancel, {"reason": "Rapat ditunda"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == RequisitionStatus.CANCELLED


def csv_upload(*rows: str, name: str = "dpa.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + "\r\n".join((HEADER, *rows)) + "\r\n").encode())


def test_a_budget_csv_import_names_a_bad_row_applies_a_good_file_and_runs_a_big_one_as_a_job(
    settings, django_capture_on_commit_callbacks
):
    # given an agency with its admin and its PA/KPA
    world = approval_world()
    admin, pa = api(world.admin), api(world.pa)
    code = world.agency.code
    import_url = url("procurement-budget-import", code=code)
    before = BudgetLine.objects.filter(agency=world.agency).count()

    # when the admin uploads a file whose second data row has a bad kode rekening
    bad = csv_upload(
        f"{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;15.000.000",
        f"{S};5.1.2.01.01.52;Alat tulis;PAD;1.000.000",
    )
    response = admin.post(import_url, {"fiscal_year": YEAR, "file": bad}, format="multipart")

    # then 400 names the row (the header is line 1) and nothing is applied
    assert response.status_code == 400
    problems = response.json()["error"]["fields"]["file"]
    assert len(problems) == 1 and problems[0].startswith("Baris 3: ") and "5.1.2.01.01.52" in problems[0]
    assert BudgetLine.objects.filter(agency=world.agency).count() == before

    # when the PA/KPA (a reader) uploads a good file, then 403: importing is the admin's
    good = f"{S};5.1.02.01.01.0052;Belanja Makanan dan Minuman Rapat;DAU;15.000.000"
    response = pa.post(import_url, {"fiscal_year": YEAR, "file": csv_upload(good)}, format="multipart")
    assert response.status_code == 403
    # when the admin uploads it for a year not offered, then the field is named
    response = admin.post(import_url, {"fiscal_year": 1999, "file": csv_upload(good)}, format="multipart")
    assert response.status_code == 400 and "fiscal_year" in response.json()["error"]["fields"]

    # when the admin uploads it, then it is applied at once and the PA/KPA reads the new line
    response = admin.post(import_url, {"fiscal_year": YEAR, "file": csv_upload(good)}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json() == {"fiscal_year": YEAR, "created": 1, "updated": 0, "unchanged": 0}
    lines = pa.get(url("procurement-budget-lines", code=code), {"fiscal_year": YEAR}).json()["results"]
    imported = [line for line in lines if "Pengelolaan Pelayanan Kesehatan Ibu Hamil" in line["sub_activity"]]
    assert [(line["account_code"], line["ceiling"], line["available"]) for line in imported] == [
        ("5.1.02.01.01.0052", "15000000", "15000000")
    ]

    # when a file above the background threshold is uploaded, then 202 with the job, applied by a worker
    settings.PEKEN_CSV_BACKGROUND_ROWS = 2
    rows = [f"{S};5.1.02.01.01.00{n};Belanja {n};DAU;1.000.000" for n in (31, 32, 33)]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            import_url,
            {"fiscal_year": YEAR, "file": csv_upload(*rows, name="dpa-besar.csv")},
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert response.json()["url"] == url("procurement-budget-import-job", code=code, pk=job.pk)
    # and its status route says it is done with its counts
    status = admin.get(response.json()["url"]).json()
    assert status["status"] == ImportJobStatus.DONE and status["finished"]
    assert status["result"] == {"fiscal_year": YEAR, "created": 3, "updated": 0, "unchanged": 0}


def test_a_bast_and_then_a_payment_recorded_through_the_api():
    # given an approved purchase from two shops whose orders are sent
    world = fulfilment_world()
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    receipts = url("procurement-order-receipts", number=order.number)
    lines = list(order.lines.order_by("pk"))
    bast = {
        "received_on": timezone.localdate().isoformat(),
        "note": "Diterima di gudang puskesmas",
        "lines": [{"order_line": line.pk, "received": line.quantity} for line in lines],
    }

    # when the requester tries to record it, then 403 naming who can
    response = api(world.requester).post(receipts, bast, format="json")
    assert response.status_code == 403 and "Gilang" in response.json()["error"]["message"]

    # when the penerima barang records everything as arrived and accepted
    receiver = api(world.receiver)
    response = receiver.post(receipts, bast, format="json")

    # then BAST 1 is recorded with its lines, and the order is complete
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["seq"], body["order"], body["received_by"]["id"]) == (1, order.number, world.receiver.pk)
    assert [(r["order_line"], r["quantity_accepted"]) for r in body["lines"]] == [
        (line.pk, line.quantity) for line in lines
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and GoodsReceipt.objects.filter(order=order).count() == 1
    shown = receiver.get(receipts).json()
    assert [r["seq"] for r in shown["receipts"]] == [1] and not shown["may_record"]
    # and a second delivery of the same goods is refused by the service (409)
    assert receiver.post(receipts, bast, format="json").status_code == 409

    # when the treasurer records a cash payment of the complete order
    treasurer = api(world.treasurer)
    payment_url = url("procurement-order-payment", number=order.number)
    pay = {"method": "up_tunai", "paid_on": timezone.localdate().isoformat()}
    response = treasurer.post(payment_url, pay, format="json")

    # then it is paid: the net to the seller plus what was withheld make the gross
    assert response.status_code == 201, response.json()
    body = response.json()
    payment = OfficialPayment.objects.get(order=order)
    assert body["id"] == payment.pk and body["treasurer"]["id"] == world.treasurer.pk
    assert Decimal(body["net"]) + Decimal(body["withheld"]) == Decimal(body["gross"]) == payment.gross
    assert {w["tax"] for w in body["withholdings"]} == set(payment.withholdings.values_list("tax", flat=True))
    # and the PA/KPA reads it on the order and in the agency's payments
    pa = api(world.pa)
    assert pa.get(payment_url).json()["payment"]["id"] == payment.pk
    listed = pa.get(url("procurement-payments"), {"agency": world.agency.code}).json()["results"]
    assert [p["order"] for p in listed] == [order.number]
    # and the PA/KPA may not record one (404, as the page), and paying twice is refused (409)
    assert pa.post(payment_url, pay, format="json").status_code == 404
    response = treasurer.post(payment_url, pay, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "payment_already_recorded"


def test_another_agencys_objects_are_404():
    # given agencies A and B, each with its people, requisitions, orders and an import job of A
    world = access_world()
    people, values = world["people"], world["values"]
    b = {
        name: api(people[f"b_{name}"])
        for name in ("requester", "pp", "ppk", "penerima", "bendahara", "admin")
    }
    # when B's people ask for A's objects, then none of them is there for them
    reference, sent = values["requisition_a"], values["sent_order_a"]
    assert b["requester"].get(url("procurement-requisition", reference=reference)).status_code == 404
    assert b["pp"].get(url("procurement-requisition", reference=reference)).status_code == 404
    decide = url("procurement-decision", reference=reference)
    assert b["pp"].post(decide, {"decision": Decision.APPROVE}, format="json").status_code == 404
    cancel = url("procurement-requisition-cancel", reference=reference)
    assert b["requester"].post(cancel, {"reason": "x"}, format="json").status_code == 404
    assert b["ppk"].get(url("procurement-order-receipts", number=sent)).status_code == 404
    assert b["penerima"].get(url("procurement-order-receipts", number=sent)).status_code == 404
    assert b["bendahara"].get(url("procurement-order-payment", number=values["order_a"])).status_code == 404
    job_under_b = url(
        "procurement-budget-import-job", code=world["objects"]["b"]["agency"].code, pk=values["import_job_a"]
    )
    assert b["admin"].get(job_under_b).status_code == 404
    response = b["bendahara"].get(url("procurement-payments"), {"agency": values["agency_a_code"]})
    assert response.status_code == 404
    # and A's requisitions are in none of B's lists
    for client in b.values():
        for name in ("procurement-requisitions", "procurement-inbox"):
            listed = [r["reference"] for r in client.get(url(name)).json()["results"]]
            assert not any(ref.startswith("PGD-A-") for ref in listed)
    # while A's approver reads it
    assert api(people["a_pp"]).get(url("procurement-requisition", reference=reference)).status_code == 200


def test_a_token_without_the_procurement_scope_is_403(shop):
    # given a requester whose token has only the read and seller scopes
    world = approval_world()
    client = api(world.requester, scopes=("read", "seller"))
    # when it lists or submits requisitions, then 403 naming the scope, and nothing is submitted
    response = client.get(url("procurement-requisitions"))
    assert response.status_code == 403 and "procurement" in response.json()["error"]["message"]
    response = client.post(url("procurement-requisitions"), submission(world, shop), format="json")
    assert response.status_code == 403
    assert not Requisition.objects.exists()
