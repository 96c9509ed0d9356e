"""The people and objects the access tests walk every URL with (the pages' and the API's).

Agencies A and B with one person per role, requisitions waiting, returned and approved, their
seller orders, a delegation, an import job, an SPJ bundle and a document of agency A; a
city-wide auditor, a seller and a plain shopper. ``values`` maps the names the access tables
use to URL arguments and request bodies.
"""

from decimal import Decimal

from django.utils import timezone

from orders.statuses import OrderStatus
from peken.imports import import_job_start
from peken.models import ImportKind
from procurement.models import Delegation, OfficialDocument, SpjBundle
from procurement.services import approval_policy_default
from procurement.statuses import BundleStatus, DocumentKind, RequisitionStatus, Role
from tests.factories import UserFactory, order_create, product_create, seller_create
from tests.procurement_factories import (
    AgencyFactory,
    BudgetLineFactory,
    RequisitionFactory,
    RequisitionLineFactory,
    UnitFactory,
    person_with_roles,
)

PEOPLE = {  # role of each agency person, by the suffix of their actor name
    "requester": Role.REQUESTER,
    "pp": Role.PROCUREMENT_OFFICIAL,
    "ppk": Role.COMMITMENT_OFFICIAL,
    "pa": Role.BUDGET_HOLDER,
    "bendahara": Role.TREASURER,
    "penerima": Role.RECEIVER,
    "admin": Role.AGENCY_ADMIN,
}


def access_world() -> dict:
    """Agencies A and B with a person per role, a requisition each, an auditor, a seller, a shopper."""
    seller = seller_create(name="Toko Katering Bu Rini", email="rini@contoh.id")
    stock = product_create(
        title="Nasi Kotak Rapat", price=Decimal("25000"), partner=seller
    ).stockrecords.get()
    people, objects = {}, {}
    for key, name in (("a", "Dinas Kesehatan"), ("b", "Dinas Pendidikan")):
        agency = AgencyFactory(name=name, code=f"uji-{key}")
        unit = UnitFactory(agency=agency, name=f"Sekretariat {key.upper()}")
        approval_policy_default(agency=agency, actor=None)
        for suffix, role in PEOPLE.items():
            people[f"{key}_{suffix}"] = person_with_roles(
                agency=agency, roles=[role], unit=unit, email=f"{key}-{suffix}@pemkot.contoh.id"
            )
        line = BudgetLineFactory(agency=agency, ceiling=Decimal("500000000"))
        requisition = RequisitionFactory(
            agency=agency,
            unit=unit,
            requester=people[f"{key}_requester"],
            budget_line=line,
            reference=f"PGD-{key.upper()}-RAHASIA",
            purpose=f"Rapat rahasia dinas {key.upper()}",
            total=Decimal("250000"),
        )
        RequisitionLineFactory(
            requisition=requisition, seller=seller, quantity=10, unit_price=Decimal("25000")
        )
        returned = RequisitionFactory(
            agency=agency,
            unit=unit,
            requester=people[f"{key}_requester"],
            budget_line=line,
            reference=f"PGD-{key.upper()}-REVISI",
            purpose=f"Rapat revisi dinas {key.upper()}",
            status=RequisitionStatus.RETURNED,
            total=Decimal("250000"),
        )
        RequisitionLineFactory(requisition=returned, seller=seller, quantity=10, unit_price=Decimal("25000"))
        today = requisition.needed_by
        delegation = Delegation.objects.create(
            agency=agency,
            delegator=people[f"{key}_pp"],
            delegate=people[f"{key}_ppk"],
            role=Role.PROCUREMENT_OFFICIAL,
            start=today,
            end=today,
        )
        # an approved requisition of its own (so its reference is not a secret above) with an order
        paid = RequisitionFactory(
            agency=agency,
            unit=unit,
            requester=people[f"{key}_requester"],
            budget_line=line,
            reference=f"PGD-{key.upper()}-BAYAR",
            checkout_reference=f"PGD-{key.upper()}-BAYAR",
            status=RequisitionStatus.APPROVED,
            total=Decimal("250000"),
        )
        order = order_create(
            user=None, lines=[(stock, 10)], number=f"{key.upper()}-BAYAR-1", status=OrderStatus.RECEIVED
        )
        order.checkout_reference = paid.checkout_reference
        order.save(update_fields=["checkout_reference"])
        objects[key] = {
            "agency": agency,
            "unit": unit,
            "budget_line": line,
            "requisition": requisition,
            "returned": returned,
            "delegation": delegation,
            "order": order,
        }
    # agency A's approved requisition whose one seller order is on its way
    rice = product_create(title="Beras Premium 5 kg", price=Decimal("75000"), partner=seller)
    delivered = RequisitionFactory(
        agency=objects["a"]["agency"],
        unit=objects["a"]["unit"],
        requester=people["a_requester"],
        budget_line=objects["a"]["budget_line"],
        reference="PGD-A-KIRIM",
        checkout_reference="PGD-A-KIRIM",
        status=RequisitionStatus.APPROVED,
        total=Decimal("150000"),
    )
    sent = order_create(
        user=None, lines=[(rice.stockrecords.get(), 2)], number="PGD-A-KIRIM-1", status=OrderStatus.SENT
    )
    sent.checkout_reference = delivered.checkout_reference
    sent.save(update_fields=["checkout_reference"])
    people["auditor"] = person_with_roles(
        agency=None, roles=[Role.AUDITOR], email="apip@inspektorat.contoh.id"
    )
    people["seller"] = seller.users.get()
    people["shopper"] = UserFactory(email="warga@contoh.id", username="warga")
    a = objects["a"]
    import_job = import_job_start(
        kind=ImportKind.BUDGET_CSV,
        owner=a["agency"],
        actor=people["a_admin"],
        file_name="dpa-a.csv",
        content=b"",
        rows_total=600,
        params={"fiscal_year": 2026, "ip": None},
    )
    spj_bundle = SpjBundle.objects.create(
        agency=a["agency"],
        period_year=2026,
        period_month=1,
        requested_by=people["a_bendahara"],
        status=BundleStatus.DONE,
        file_name="spj-uji-a-2026-01.zip",
        content=b"PK\x05\x06" + bytes(18),
    )
    # an issued nota of agency A's purchase from the seller (its bytes stand in for a PDF)
    record = product_create(title="Nasi kotak", price=Decimal("25000"), partner=seller).stockrecords.get()
    order = order_create(user=None, lines=[(record, 10)], number="UJI-A-0001")
    document = OfficialDocument.objects.create(
        kind=DocumentKind.NOTA,
        number="NOTA/0001/UJI-A/2026",
        agency=a["agency"],
        year=2026,
        seq=1,
        code="UJIDOKUMENA23456",
        requisition=a["requisition"],
        order=order,
        seller_name=seller.name,
        total=Decimal("250000"),
        content=b"%PDF-1.7 uji",
        sha256="0" * 64,
        date_issued=timezone.now(),
    )
    values = {
        "requisition_a": a["requisition"].reference,
        "spj_bundle_a": spj_bundle.pk,
        "spj_month": {"bulan": "2026-01"},
        "returned_a": a["returned"].reference,
        "delegation_a": a["delegation"].pk,
        "agency_a": a["agency"].pk,
        "budget_line_a": a["budget_line"].pk,
        "unit_a": a["unit"].pk,
        "agency_a_code": a["agency"].code,
        "import_job_a": import_job.pk,
        "document_a": document.code,
        "membership_a": people["a_bendahara"].memberships.get().pk,
        "mode_a": {"agency": a["agency"].pk},
        "decide": {"decision": "setuju", "comment": "Sesuai kebutuhan"},
        "sent_order_a": sent.number,
        "product_on_sale": stock.product_id,
        "receipt": {
            "bast-received_on": timezone.localdate().isoformat(),
            f"bast-received_{sent.lines.get().pk}": "2",
        },
        "close_short": {"tutup-reason": "Penjual tidak sanggup mengirim"},
        "csv": "csv",
        "order_a": a["order"].number,
        "this_year": timezone.localdate().year,
        "this_month": timezone.localdate().month,
        "pay_cash": {"method": "up_tunai", "paid_on": timezone.localdate().isoformat()},
        "deposit": {
            "tax": "pph22",
            "pph22-billing_code": "123456789012345",
            "pph22-ntpn": "NTPN000000000001",
        },
        "year": timezone.localdate().year,
    }
    return {
        "people": people,
        "objects": objects,
        "values": values,
        "secrets": [a["requisition"].reference, a["requisition"].purpose],
    }


# The actors by the names the access tables use, and the sets of them the rules name.
A = frozenset(f"a_{p}" for p in PEOPLE)
B = frozenset(f"b_{p}" for p in PEOPLE)
OUTSIDERS = frozenset({"auditor", "seller", "shopper"})
SIGNED_IN = A | B | OUTSIDERS
A_APPROVERS = frozenset({"a_pp", "a_ppk", "a_pa"})
B_APPROVERS = frozenset({"b_pp", "b_ppk", "b_pa"})
REQUESTERS = frozenset({"a_requester", "b_requester"})
APPROVERS = A_APPROVERS | B_APPROVERS
A_BUDGET_READERS = frozenset({"a_admin", "a_pa", "a_bendahara"})  # selectors.BUDGET_READERS of agency A
A_PAYMENT_READERS = frozenset(
    {"a_bendahara", "a_pa", "a_admin", "auditor"}
)  # selectors_treasury.treasury_access
NOBODY: frozenset = frozenset()
# who reads agency A's money month: reconciliation, Coretax, SPJ (selectors_spj.spj_agencies)
A_SPJ_READERS = frozenset({"a_bendahara", "a_pa", "a_admin", "auditor"})
# who records what arrived of agency A's orders, and who reads that record
A_RECEIVERS = frozenset({"a_ppk", "a_penerima"})
A_RECEIPT_READERS = A_RECEIVERS | A_APPROVERS | frozenset({"a_requester", "a_bendahara", "auditor"})
# who may ever see agency A's requisition (its reference and purpose) on any page
SEES_A = frozenset({"a_requester", "auditor", "a_admin"}) | A_APPROVERS
ALL = SIGNED_IN | frozenset({"anonymous"})
