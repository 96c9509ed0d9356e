"""Roles, statuses and the transition table of requisitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "pemohon", _("Pemohon (PPTK/staf)")
    PROCUREMENT_OFFICIAL = "pp", _("Pejabat Pengadaan")
    COMMITMENT_OFFICIAL = "ppk", _("PPK")
    BUDGET_HOLDER = "pa_kpa", _("PA/KPA")
    TREASURER = "bendahara", _("Bendahara")
    AUDITOR = "auditor", _("Auditor")
    AGENCY_ADMIN = "admin_opd", _("Admin OPD")


APPROVER_ROLES = frozenset({Role.PROCUREMENT_OFFICIAL, Role.COMMITMENT_OFFICIAL, Role.BUDGET_HOLDER})


class RequisitionStatus(models.TextChoices):
    DRAFT = "draf", _("Draf")
    SUBMITTED = "diajukan", _("Menunggu persetujuan")
    RETURNED = "dikembalikan", _("Dikembalikan untuk revisi")
    APPROVED = "disetujui", _("Disetujui, pesanan dibuat")
    REJECTED = "ditolak", _("Ditolak")
    EXPIRED = "kedaluwarsa", _("Kedaluwarsa")
    CANCELLED = "dibatalkan", _("Dibatalkan")


class Decision(models.TextChoices):
    APPROVE = "setuju", _("Setujui")
    REJECT = "tolak", _("Tolak")
    RETURN = "kembalikan", _("Kembalikan untuk revisi")


# a decision once made, as a record reads ("Disetujui oleh ..."); the labels above are what an approver picks
DECISION_MADE = {
    Decision.APPROVE: _("Disetujui"),
    Decision.REJECT: _("Ditolak"),
    Decision.RETURN: _("Dikembalikan untuk revisi"),
}


class CommitmentStatus(models.TextChoices):
    LIVE = "terikat", _("Terikat")
    RELEASED = "dilepas", _("Dilepas")
    REALISED = "realisasi", _("Terealisasi")


# The moves a requisition may make; procurement.services refuses any other.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequisitionStatus.DRAFT: frozenset({RequisitionStatus.SUBMITTED, RequisitionStatus.CANCELLED}),
    RequisitionStatus.SUBMITTED: frozenset(
        {
            RequisitionStatus.SUBMITTED,  # one step approved, next step waits
            RequisitionStatus.APPROVED,
            RequisitionStatus.REJECTED,
            RequisitionStatus.RETURNED,
            RequisitionStatus.EXPIRED,
            RequisitionStatus.CANCELLED,
        }
    ),
    RequisitionStatus.RETURNED: frozenset({RequisitionStatus.SUBMITTED, RequisitionStatus.CANCELLED}),
    # withdrawn by the requester while every seller order is still new (procurement.services checks)
    RequisitionStatus.APPROVED: frozenset({RequisitionStatus.CANCELLED}),
    RequisitionStatus.REJECTED: frozenset(),
    RequisitionStatus.EXPIRED: frozenset(),
    RequisitionStatus.CANCELLED: frozenset(),
}


# A commitment is released in full (cancellation, a seller's rejection, a short delivery) or
# realised by payment; it is never held again. procurement.services moves it only
# through _commitment_move, which refuses any other.
COMMITMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    CommitmentStatus.LIVE: frozenset({CommitmentStatus.RELEASED, CommitmentStatus.REALISED}),
    CommitmentStatus.RELEASED: frozenset(),
    CommitmentStatus.REALISED: frozenset(),
}


def commitment_move_allowed(*, old: str, new: str) -> bool:
    """Whether a commitment may move from ``old`` to ``new``: the one reading of COMMITMENT_TRANSITIONS."""
    return new in COMMITMENT_TRANSITIONS.get(old, ())
