"""Writes of official procurement, one module per aggregate, all importable from here.

- requisitions: a requester's submit, revise, reopen into the basket, resubmit, cancel
  (submission: what a submission and a resubmission check)
- approvals: the decision on a requisition's current step
- official_orders: the orders final approval places, and a seller's order released
- budgets: commitments released, budget lines changed by hand or imported
- delegations: delegations of an approver role, an agency's approval policy
- reminders: the hourly reminder and expiry runs
- agencies: agencies, units and the roles people hold in them
- fulfilment: what arrived of an official order (BAST, partial receipt, short closure)
- treasury: the treasurer's payment (UP/GU, LS, KKPD card), taxes withheld and deposited
- documents: the purchase's PDFs, numbered per agency, kind and year, hashed and verifiable
- _common: the refusals every write raises and its small shared helpers

Every write runs in one transaction that also appends its entry to the audit
chain (procurement.audit.audit_record). Its row locks are taken through
peken/locks.py, the one place that names them and their order; races are
backed by the database constraints of procurement.models. A final approval
that still meets a deadlock or serialization failure is run again
(peken.db.retry_on_conflict).
"""

from procurement.services._common import (
    ApprovalRefused,
    BudgetExceeded,
    BudgetLineRefused,
    MembershipRefused,
    ProcurementError,
    RequisitionStateError,
    _move,
    phone_e164,
)
from procurement.services.agencies import agency_create, membership_grant, membership_revoke, unit_create
from procurement.services.approvals import requisition_decide
from procurement.services.budgets import (
    BUDGET_IMPORT_PROGRESS_EVERY,
    BUDGET_LINE_EDITABLE,
    ImportResult,
    _commitment_move,
    _commitment_reduce,
    budget_import_job_apply,
    budget_line_update,
    budget_lines_import,
    budget_lines_import_start,
    budget_release,
)
from procurement.services.delegations import approval_policy_default, delegation_create, delegation_revoke
from procurement.services.fulfilment import (
    ReceiptRefused,
    ReceivedLine,
    goods_receipt_record,
    order_close_short,
)
from procurement.services.official_orders import (
    OFFICIAL_DELIVERY,
    _orders_place,
    _seller_cap_recheck,
    requisition_seller_order_released,
)
from procurement.services.reminders import requisitions_expire, requisitions_remind
from procurement.services.requisitions import (
    requisition_basket_reopen,
    requisition_cancel,
    requisition_resubmit,
    requisition_resubmit_from_basket,
    requisition_revise,
    requisition_submit_from_basket,
    requisition_submit_from_lines,
)
from procurement.services.submission import _available_check
from procurement.services.treasury import (
    PaymentAlreadyRecorded,
    PaymentRefused,
    official_payment_card_cancel,
    official_payment_card_confirm,
    official_payment_card_start,
    official_payment_record,
    tax_deposit_record,
)

__all__ = [  # with the private helpers the tests call or slow down
    "agency_create",
    "approval_policy_default",
    "ApprovalRefused",
    "budget_import_job_apply",
    "BUDGET_IMPORT_PROGRESS_EVERY",
    "BUDGET_LINE_EDITABLE",
    "budget_line_update",
    "budget_lines_import",
    "budget_lines_import_start",
    "budget_release",
    "BudgetExceeded",
    "BudgetLineRefused",
    "delegation_create",
    "delegation_revoke",
    "ImportResult",
    "membership_grant",
    "membership_revoke",
    "MembershipRefused",
    "OFFICIAL_DELIVERY",
    "phone_e164",
    "ProcurementError",
    "requisition_basket_reopen",
    "requisition_cancel",
    "requisition_decide",
    "requisition_resubmit",
    "requisition_resubmit_from_basket",
    "requisition_revise",
    "requisition_seller_order_released",
    "requisition_submit_from_basket",
    "requisition_submit_from_lines",
    "requisitions_expire",
    "requisitions_remind",
    "RequisitionStateError",
    "goods_receipt_record",
    "order_close_short",
    "ReceiptRefused",
    "ReceivedLine",
    "PaymentAlreadyRecorded",
    "PaymentRefused",
    "official_payment_card_cancel",
    "official_payment_card_confirm",
    "official_payment_card_start",
    "official_payment_record",
    "tax_deposit_record",
    "unit_create",
    "_available_check",
    "_commitment_move",
    "_commitment_reduce",
    "_move",
    "_orders_place",
    "_seller_cap_recheck",
]
