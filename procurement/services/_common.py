"""What every procurement write shares: the refusals it raises and a few small helpers.

Each exception carries a message for the person acting. The helpers lock a
requisition's row (peken.locks), move its status only as
procurement.statuses.TRANSITIONS allows, give its values for the audit trail
and queue its emails after commit.
"""

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext as _

from peken import locks
from procurement import tasks
from procurement.models import Requisition
from procurement.statuses import TRANSITIONS, Role


class ProcurementError(Exception):
    """A refused procurement action; the message is for the person acting."""


class ApprovalRefused(ProcurementError):
    """The person may not decide this requisition (role, segregation of duties, delegation)."""


class BudgetExceeded(ProcurementError):
    """The budget line does not have the money available."""


class RequisitionStateError(ProcurementError):
    """The requisition's status does not allow this action."""


class MembershipRefused(ProcurementError):
    """A role may not be granted or revoked this way."""


class BudgetLineRefused(ProcurementError):
    """A budget line change that would leave it inconsistent (e.g. a ceiling below what is spent)."""


def phone_e164(value: str) -> str:
    """An Indonesian phone number as E.164 (0812-3456-7890 -> +6281234567890); "" stays "".

    Raises ProcurementError for anything that is not a valid Indonesian number.
    """
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException as error:
        raise ProcurementError(_("Nomor telepon tidak dikenali; tulis seperti 0812 3456 7890.")) from error
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "ID":
        raise ProcurementError(_("Nomor telepon Indonesia tidak valid; tulis seperti 0812 3456 7890."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _role_label(role: str) -> str:
    return str(Role(role).label)


def _person(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def _move(requisition: Requisition, new: str) -> None:
    """Refuse a status move the transition table does not allow."""
    if new not in TRANSITIONS[requisition.status]:
        raise RequisitionStateError(
            _("Permintaan %(ref)s berstatus %(status)s; tindakan ini tidak bisa dilakukan.")
            % {"ref": requisition.reference, "status": requisition.get_status_display()}
        )
    requisition.status = new


def _locked(requisition: Requisition) -> Requisition:
    return locks.requisition_lock(requisition_id=requisition.pk)


def _requisition_values(requisition: Requisition) -> dict:
    return {
        "status": requisition.status,
        "total": requisition.total,
        "round": requisition.round,
        "budget_line": requisition.budget_line_id,
        "purpose": requisition.purpose,
        "kode_rup": requisition.kode_rup,
        "delivery_address": requisition.delivery_address,
        "needed_by": requisition.needed_by,
        "contact_name": requisition.contact_name,
        "contact_phone": requisition.contact_phone,
    }


def _notify(requisition_id: int, event: str) -> None:
    transaction.on_commit(lambda: tasks.requisition_notify.delay(requisition_id, event))
