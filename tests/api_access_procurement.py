"""Access rules of the API's procurement routes (tests/test_api_access.py).

Each rule names the same people as the page's rule for the same action in
tests/test_procurement_access.py's TABLE, by the same sets (tests/access_world.py).
"""

from datetime import timedelta

from django.utils import timezone
from oscar.core.loading import get_model

from tests.access_world import (
    A_APPROVERS,
    A_BUDGET_READERS,
    A_PAYMENT_READERS,
    A_RECEIPT_READERS,
    A_RECEIVERS,
    SIGNED_IN,
)
from tests.api_access_catalogue import ApiRule

A_ADMIN = frozenset({"a_admin"})
PAYMENT_READERS = frozenset({"a_bendahara", "b_bendahara", "a_pa", "b_pa", "a_admin", "b_admin", "auditor"})

RULES: dict[str, ApiRule] = {
    "procurement-requisitions": ApiRule(
        get=SIGNED_IN,
        post=frozenset({"a_requester"}),
        data="submit_a",
        why="everyone lists their own (empty for most); buying for A: its requester, as the mode switch",
    ),
    "procurement-requisition": ApiRule(
        get=frozenset({"a_requester"}) | A_APPROVERS,
        kwargs={"reference": "requisition_a"},
        why="its requester and the approvers of its agency, as procurement:detail",
    ),
    "procurement-requisition-revise": ApiRule(
        post=frozenset({"a_requester"}),
        kwargs={"reference": "returned_a"},
        data="revise",
        why="the requester of a returned requisition, as procurement:revise",
    ),
    "procurement-requisition-cancel": ApiRule(
        post=frozenset({"a_requester"}),
        kwargs={"reference": "requisition_a"},
        data="cancel",
        why="the requester only, as procurement:cancel",
    ),
    "procurement-inbox": ApiRule(get=SIGNED_IN, why="what waits for each person (nothing for most)"),
    "procurement-decision": ApiRule(
        post=A_APPROVERS,
        kwargs={"reference": "requisition_a"},
        data="decide",
        why="approvers of A, as procurement:decide; the service then refuses a step that is not theirs",
    ),
    "procurement-budget-lines": ApiRule(
        get=A_BUDGET_READERS,
        kwargs={"code": "agency_a_code"},
        why="A's admin, PA/KPA and treasurer, as procurement:opd-budget",
    ),
    "procurement-budget-import": ApiRule(
        post=A_ADMIN,
        kwargs={"code": "agency_a_code"},
        why="A's admin, as procurement:opd-budget-import (a JSON body is 415: past the rule)",
    ),
    "procurement-budget-import-job": ApiRule(
        get=A_ADMIN,
        kwargs={"code": "agency_a_code", "pk": "import_job_a"},
        why="the admins of the agency the job belongs to, as procurement:opd-budget-job",
    ),
    "procurement-receipts": ApiRule(
        get=SIGNED_IN, why="the orders waiting for each person's receipt (none for most)"
    ),
    "procurement-order-receipts": ApiRule(
        get=A_RECEIPT_READERS,
        post=A_RECEIVERS,
        kwargs={"number": "sent_order_a"},
        data="bast",
        why="A's PPK and penerima barang record; its requester, approvers, treasurer and auditors read",
    ),
    "procurement-payments": ApiRule(
        get=PAYMENT_READERS,
        why="treasurers, and who reads an agency's payments: its PA/KPA and admin, the auditors",
    ),
    "procurement-order-payment": ApiRule(
        get=A_PAYMENT_READERS,
        post=frozenset({"a_bendahara"}),
        kwargs={"number": "order_a"},
        data="pay_cash",
        why="A's treasurer pays (the service then checks the order is received); A's readers read",
    ),
}


def world_extend(world: dict) -> None:
    """The bodies of the procurement writes: a submission for agency A, a revision, a cancellation, a BAST."""
    values, objects = world["values"], world["objects"]
    Product = get_model("catalogue", "Product")
    Order = get_model("order", "Order")
    stock = Product.objects.get(pk=values["product_on_sale"]).stockrecords.get()
    sent = Order.objects.get(number=values["sent_order_a"])
    values["submit_a"] = {
        "agency": objects["a"]["agency"].pk,
        "budget_line": objects["a"]["budget_line"].pk,
        "purpose": "Rapat koordinasi puskesmas",
        "delivery_address": "Jl. Merdeka 1",
        "needed_by": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "contact_phone": "0812 3456 7890",
        "lines": [{"stockrecord_id": stock.pk, "quantity": 2}],
    }
    values["revise"] = {"purpose": "Rapat revisi dinas A, jumlah dikurangi"}
    values["cancel"] = {"reason": "Rapat ditunda"}
    values["bast"] = {
        "received_on": timezone.localdate().isoformat(),
        "lines": [{"order_line": sent.lines.get().pk, "received": 2}],
    }
