"""Writes of official procurement: requisitions, approvals, budget commitments, delegations.

Every write runs in one transaction that also appends its entry to the audit
chain (procurement.audit.audit_record). Races (two approvers, fifty final
approvals against one budget line) are settled by row locks taken in primary
key order and backed by the database constraints of procurement.models.
"""


class ProcurementError(Exception):
    """A refused procurement action; the message is for the person acting."""


class ApprovalRefused(ProcurementError):
    """The person may not decide this requisition (role, segregation of duties, delegation)."""


class BudgetExceeded(ProcurementError):
    """The budget line does not have the money available."""


class RequisitionStateError(ProcurementError):
    """The requisition's status does not allow this action."""
