"""Roles, statuses and the transition table of requisitions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "pemohon", _("Pemohon (PPTK/staf)")
    PROCUREMENT_OFFICIAL = "pp", _("Pejabat Pengadaan")
    COMMITMENT_OFFICIAL = "ppk", _("PPK")
    BUDGET_HOLDER = "pa_kpa", _("PA/KPA")
    TREASURER = "bendahara", _("Bendahara")
    # records what arrived (BAST) beside the PPK
    RECEIVER = "penerima", _("Penerima barang")
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


class PaymentMethod(models.TextChoices):
    """How the treasurer paid a seller (Permendagri 77/2020)."""

    UP_TRANSFER = "up_transfer", _("UP/GU: transfer bank")
    UP_CASH = "up_tunai", _("UP/GU: tunai")
    KKPD = "kkpd", _("Kartu kredit pemerintah daerah (KKPD)")
    LS = "ls", _("LS lewat kas daerah (SP2D)")


class OfficialPaymentStatus(models.TextChoices):
    PENDING = "menunggu", _("Menunggu pembayaran kartu")
    PAID = "lunas", _("Lunas")
    CANCELLED = "batal", _("Dibatalkan")


# A card payment waits for Stripe; the other methods are recorded paid at once. A waiting card
# payment the treasurer gives up on is cancelled, and the order can be paid again.
OFFICIAL_PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    OfficialPaymentStatus.PENDING: frozenset({OfficialPaymentStatus.PAID, OfficialPaymentStatus.CANCELLED}),
    OfficialPaymentStatus.PAID: frozenset(),
    OfficialPaymentStatus.CANCELLED: frozenset(),
}


class DocumentKind(models.TextChoices):
    """The documents of one official purchase; the first five are the contract documents by band."""

    NOTA = "nota", _("Nota (bukti pembelian)")
    KUITANSI = "kuitansi", _("Kuitansi")
    SPK = "spk", _("SPK (Surat Perintah Kerja)")
    SURAT_PERJANJIAN = "surat_perjanjian", _("Surat perjanjian")
    SURAT_PESANAN = "surat_pesanan", _("Surat pesanan")
    BAST = "bast", _("Berita acara serah terima (BAST)")
    TAX_SUMMARY = "pajak", _("Ringkasan pajak")


class BundleStatus(models.TextChoices):
    QUEUED = "antre", _("Menunggu")
    RUNNING = "proses", _("Sedang disusun")
    DONE = "selesai", _("Siap diunduh")
    FAILED = "gagal", _("Gagal")


# A bundle is built once; a failed one is asked for again as a new bundle.
BUNDLE_TRANSITIONS: dict[str, frozenset[str]] = {
    BundleStatus.QUEUED: frozenset({BundleStatus.RUNNING, BundleStatus.FAILED}),
    BundleStatus.RUNNING: frozenset({BundleStatus.DONE, BundleStatus.FAILED}),
    BundleStatus.DONE: frozenset(),
    BundleStatus.FAILED: frozenset(),
}
