"""The audit trail's words: a label per action, object and field, which fields are money or dates.

Read by procurement/audit_display.py (the sentences and exports) and the audit pages'
filters. Keys are what the services write into an entry; labels are derived when read.
"""

from django.utils.translation import gettext_lazy as _

DATETIME_FORMAT = "j M Y H:i:s"  # every time on the audit pages and in the exports, Jakarta time
DATE_FORMAT = "j M Y"
TIME_ZONE_NAME = "WIB"

# one label per kind of action, for the trail's filter
ACTIONS = {
    "requisition.submit": _("Permintaan diajukan"),
    "requisition.revise": _("Permintaan direvisi"),
    "requisition.resubmit": _("Permintaan diajukan ulang"),
    "requisition.decide.setuju": _("Disetujui"),
    "requisition.decide.tolak": _("Ditolak"),
    "requisition.decide.kembalikan": _("Dikembalikan untuk revisi"),
    "requisition.cancel": _("Permintaan dibatalkan"),
    "requisition.expire": _("Kedaluwarsa, anggaran dilepas"),
    "budget.release": _("Anggaran dilepas"),
    "budget.release.order": _("Anggaran dilepas: pesanan penjual batal"),
    "order.status": _("Status pesanan penjual berubah"),
    "agency.create": _("OPD dibuat"),
    "approval_policy.default": _("Kebijakan persetujuan bawaan dipasang"),
    "budget_line.create": _("Baris anggaran dibuat"),
    "budget_line.update": _("Baris anggaran diubah"),
    "budget_lines.import": _("Anggaran diimpor dari CSV"),
    "delegation.create": _("Delegasi dibuat"),
    "delegation.revoke": _("Delegasi dicabut"),
    "membership.grant": _("Peran diberikan"),
    "membership.revoke": _("Peran dicabut"),
    "membership.unit": _("Unit pemegang peran diubah"),
    "unit.create": _("Unit dibuat"),
    "audit.keyed": _("Rantai audit mulai berkunci (entri lama disegel)"),
    "spj.request": _("Berkas SPJ diminta"),
}
OBJECT_LABELS = {
    "procurement.requisition": _("Permintaan"),
    "procurement.budgetline": _("Baris anggaran"),
    "procurement.budgetcommitment": _("Komitmen anggaran"),
    "procurement.membership": _("Peran"),
    "procurement.delegation": _("Delegasi"),
    "procurement.agency": _("OPD"),
    "procurement.approvalstep": _("Langkah persetujuan"),
    "procurement.unit": _("Unit"),
    "order.order": _("Pesanan"),
    "procurement.auditentry": _("Entri audit"),
    "procurement.spjbundle": _("Berkas SPJ"),
}
# fields whose values are rupiah, shown as Rp150.000
MONEY_FIELDS = frozenset(
    {
        "total",
        "amount",
        "ceiling",
        "committed",
        "realised",
        "available",
        "unit_price",
        "released",
        "min_amount",
        "max_amount",
        "commitment_amount",
        "line_committed",
    }
)
DATE_FIELDS = frozenset(
    {
        "needed_by",
        "start",
        "end",
        "date_revoked",
        "date_created",
        "date_submitted",
        "date_decided",
        "date_closed",
    }
)
FIELD_LABELS = {
    "status": _("Status"),
    "total": _("Total"),
    "amount": _("Jumlah"),
    "comment": _("Komentar"),
    "decision": _("Keputusan"),
    "step": _("Langkah"),
    "role": _("Peran"),
    "round": _("Putaran"),
    "orders": _("Pesanan penjual"),
    "lines": _("Barang"),
    "reason": _("Alasan"),
    "budget_line": _("Baris anggaran"),
    "released": _("Dilepas"),
    "committed": _("Terikat"),
    "steps": _("Langkah persetujuan"),
    "position": _("Urutan"),
    "min_amount": _("Di atas"),
    "max_amount": _("Sampai dengan"),
    "agency": _("OPD"),
    "delegate": _("Penerima delegasi"),
    "delegator": _("Pemberi delegasi"),
    "user": _("Orang"),
    "unit": _("Unit"),
    "party": _("Pihak"),
    "reference": _("Nomor"),
    "purpose": _("Keperluan"),
    "kode_rup": _("Kode RUP"),
    "delivery_address": _("Alamat pengiriman"),
    "needed_by": _("Dibutuhkan tanggal"),
    "days": _("Batas hari tanpa keputusan"),
    "order": _("Pesanan"),
    "order_status": _("Status pesanan"),
    "commitment_status": _("Status komitmen"),
    "commitment_amount": _("Anggaran terikat permintaan"),
    "line_committed": _("Terikat di baris anggaran"),
    "email": _("Email"),
    "name": _("Nama"),
    "code": _("Kode"),
    "address": _("Alamat"),
    "kecamatan": _("Kecamatan"),
    "fiscal_year": _("Tahun anggaran"),
    "file": _("Berkas"),
    "created": _("Baris baru"),
    "updated": _("Baris diubah"),
    "unchanged": _("Baris tetap"),
    "start": _("Mulai"),
    "end": _("Sampai"),
    "date_revoked": _("Dicabut pada"),
    "sub_activity": _("Sub kegiatan"),
    "account_code": _("Kode rekening"),
    "description": _("Uraian"),
    "funding_source": _("Sumber dana"),
    "ceiling": _("Pagu"),
    "realised": _("Realisasi"),
    "id": _("ID"),
    "unkeyed_through": _("Entri tanpa kunci sampai nomor"),
}
_KEY_ORDER = {key: n for n, key in enumerate(FIELD_LABELS)}
EXPORT_HEADER = (
    _("No."),
    _("Waktu (WIB)"),
    _("Tindakan"),
    _("Oleh"),
    _("Atas nama"),
    _("IP"),
    _("Jenis data"),
    _("Data"),
    _("Permintaan"),
    _("Perubahan"),
    _("Rantai"),
    _("Kode tindakan"),
    _("Hash"),
)
