"""Agencies, their people and budgets, requisitions, approvals and the audit trail.

Statuses and transitions live in procurement/statuses.py; every write goes
through procurement/services/, which records an AuditEntry for it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peken.money import rupiah_format
from procurement.statuses import (
    DECISION_MADE,
    BundleStatus,
    CommitmentStatus,
    Decision,
    DocumentKind,
    OfficialPaymentStatus,
    PaymentMethod,
    RequisitionStatus,
    Role,
)
from procurement.tax import TaxKind

MONEY = {"max_digits": 15, "decimal_places": 0}
# kode rekening as SIPD writes it, e.g. 5.1.02.01.01.0052
ACCOUNT_CODE = RegexValidator(
    r"^\d\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}$", _("Kode rekening harus berbentuk 5.1.02.01.01.0052.")
)


class Agency(models.Model):
    """An OPD (organisasi perangkat daerah), e.g. Dinas Kesehatan."""

    name = models.CharField(_("Nama OPD"), max_length=200, unique=True)
    code = models.SlugField(_("Kode"), max_length=64, unique=True)
    address = models.TextField(_("Alamat kantor"), blank=True)
    kecamatan = models.CharField(_("Kecamatan"), max_length=64, blank=True)
    # the agency's place-of-business id as a withholder (its treasurer's NPWP + 6 digits), which
    # heads every withholding slip in Coretax
    nitku = models.CharField(
        _("NITKU bendahara"),
        max_length=22,
        blank=True,
        validators=[RegexValidator(r"^\d{22}$", _("NITKU terdiri dari 22 angka."))],
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A unit (bidang, seksi, UPT, puskesmas) inside an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("Nama unit"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.agency})"


class Membership(models.Model):
    """One role one person holds: in one agency, or city-wide for an auditor."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(_("Peran"), max_length=20, choices=Role.choices)
    # the official's civil-servant number (NIP, 18 digits), printed under their signature
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(agency__isnull=True),
                name="membership_unique_citywide_role",
            ),
            # only an auditor is city-wide; every other role belongs to an agency
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(role=Role.AUDITOR),
                name="membership_agency_unless_auditor",
            ),
        ]

    def __str__(self):
        where = self.agency or _("seluruh kota")
        return f"{self.user} — {self.get_role_display()} — {where}"


class BudgetLine(models.Model):
    """One line of an agency's DPA for a fiscal year: ceiling = available + committed + realised."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("Tahun anggaran"))
    sub_activity = models.CharField(_("Sub kegiatan"), max_length=300)
    account_code = models.CharField(_("Kode rekening"), max_length=32, validators=[ACCOUNT_CODE])
    description = models.CharField(_("Uraian"), max_length=300)
    funding_source = models.CharField(_("Sumber dana"), max_length=100, blank=True)
    ceiling = models.DecimalField(_("Pagu"), **MONEY)
    committed = models.DecimalField(_("Terikat"), default=Decimal(0), **MONEY)
    realised = models.DecimalField(_("Realisasi"), default=Decimal(0), **MONEY)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency", "fiscal_year", "account_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "sub_activity", "account_code"], name="budget_line_unique"
            ),
            # the database itself refuses an overdrawn line
            models.CheckConstraint(
                condition=Q(committed__gte=0)
                & Q(realised__gte=0)
                & Q(ceiling__gte=F("committed") + F("realised")),
                name="budget_line_not_overdrawn",
            ),
        ]

    def __str__(self):
        return f"{self.account_code} {self.description} ({self.fiscal_year})"

    @property
    def available(self) -> Decimal:
        return self.ceiling - self.committed - self.realised


def amount_range_label(low, high) -> str:
    """An approval step's range as people say it: "semua nilai", "sampai Rp200.000.000", "di atas Rp10.000".

    ``low`` is exclusive and ``high`` inclusive (see ApprovalStep); a step from
    zero has no lower bound worth naming.
    """
    low = Decimal(low or 0)
    if high in (None, ""):
        if low <= 0:
            return gettext("semua nilai")
        return gettext("di atas %(low)s") % {"low": rupiah_format(low)}
    if low <= 0:
        return gettext("sampai %(high)s") % {"high": rupiah_format(high)}
    return gettext("di atas %(low)s sampai %(high)s") % {
        "low": rupiah_format(low),
        "high": rupiah_format(high),
    }


class ApprovalStep(models.Model):
    """One step of an agency's approval policy: who approves requisitions in an amount range.

    A requisition of amount A needs every step whose range holds A
    (min_amount < A <= max_amount, or no max), in ``position`` order.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="approval_steps")
    position = models.PositiveSmallIntegerField(_("Urutan"))
    role = models.CharField(_("Peran"), max_length=20, choices=Role.choices)
    min_amount = models.DecimalField(_("Di atas (Rp)"), default=Decimal(0), **MONEY)
    max_amount = models.DecimalField(_("Sampai dengan (Rp)"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["agency", "position"]
        constraints = [models.UniqueConstraint(fields=["agency", "position"], name="approval_step_unique")]

    def __str__(self):
        return f"{self.agency}: {self.position}. {self.get_role_display()}"

    @property
    def range_label(self) -> str:
        return amount_range_label(self.min_amount, self.max_amount)


class Requisition(models.Model):
    """An official basket charged to a budget line, waiting for or past its approvals."""

    reference = models.CharField(_("Nomor"), max_length=32, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="requisitions")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requisitions"
    )
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="requisitions")
    kode_rup = models.CharField(_("Kode RUP"), max_length=32, blank=True)
    purpose = models.TextField(_("Keperluan"))
    delivery_address = models.TextField(_("Alamat pengiriman"))
    needed_by = models.DateField(_("Dibutuhkan tanggal"))
    # who the seller calls about delivery; the phone in E.164 (+6281234567890)
    contact_name = models.CharField(_("Narahubung"), max_length=150, blank=True)
    contact_phone = models.CharField(_("Telepon narahubung"), max_length=20, blank=True)
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=RequisitionStatus.choices,
        default=RequisitionStatus.DRAFT,
        db_index=True,
    )
    total = models.DecimalField(_("Total"), default=Decimal(0), **MONEY)
    # each submission is a round; decisions belong to one round
    round = models.PositiveSmallIntegerField(default=0)
    # the checkout reference of the seller orders placed on final approval
    checkout_reference = models.CharField(max_length=32, blank=True, db_index=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_submitted = models.DateTimeField(null=True, blank=True)
    date_decided = models.DateTimeField(null=True, blank=True)
    # the last approval reminder, so beat sends at most one a day
    date_reminded = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]
        indexes = [models.Index(fields=["agency", "status"], name="requisition_agency_status")]

    def __str__(self):
        return self.reference


class RequisitionLine(models.Model):
    """One product of one seller in a requisition, its price frozen at submission."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="lines")
    seller = models.ForeignKey("partner.Partner", on_delete=models.PROTECT, related_name="+")
    stockrecord = models.ForeignKey(
        "partner.StockRecord", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    product = models.ForeignKey("catalogue.Product", null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=255)
    partner_sku = models.CharField(max_length=128, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["seller", "pk"]

    def __str__(self):
        return f"{self.title} × {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class ApprovalDecision(models.Model):
    """An approver's decision on one step of one round of a requisition."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_created", "pk"]
        constraints = [
            # one decision per step and round: two approvers racing cannot both decide
            models.UniqueConstraint(
                fields=["requisition", "round", "position"], name="decision_once_per_step"
            ),
        ]

    def __str__(self):
        return f"{self.requisition}: {self.get_decision_display()} ({self.get_role_display()})"

    @property
    def made_label(self) -> str:
        """The decision as the record reads: "Disetujui", not the approver's button "Setujui"."""
        return str(DECISION_MADE.get(self.decision, self.get_decision_display()))


class BudgetCommitment(models.Model):
    """Money of a budget line held for one approved requisition until paid or released."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="commitments")
    requisition = models.OneToOneField(Requisition, on_delete=models.PROTECT, related_name="commitment")
    # what is still held; released and paid shares leave it, so it reaches zero only when closed
    amount = models.DecimalField(**MONEY)
    # what payments of its orders took from it (the budget line's realised holds the gross)
    realised = models.DecimalField(default=Decimal(0), **MONEY)
    status = models.CharField(max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.LIVE)
    date_created = models.DateTimeField(auto_now_add=True)
    date_closed = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | ~Q(status=CommitmentStatus.LIVE), name="commitment_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, realised__gte=0), name="commitment_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.requisition}: {self.amount} ({self.get_status_display()})"


class Delegation(models.Model):
    """An approver lets a named colleague of the same agency act for them in a role for some days."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="delegations")
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    start = models.DateField(_("Mulai"))
    end = models.DateField(_("Sampai"))
    date_created = models.DateTimeField(auto_now_add=True)
    date_revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="delegation_dates_in_order"),
            models.CheckConstraint(condition=~Q(delegator=F("delegate")), name="delegation_not_to_self"),
        ]

    def __str__(self):
        return f"{self.delegate} for {self.delegator} ({self.start}–{self.end})"


class AuditScheme(models.TextChoices):
    """How an entry's hash was made: keyed from now on; the unkeyed one only for entries written before."""

    SHA256 = "sha256", "SHA-256 (tanpa kunci, entri lama)"
    HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"


class AuditEntry(models.Model):
    """One append-only record of a change, chained to the one before by its hash.

    hash = HMAC-SHA256 under the key named by ``key_id`` (from the environment,
    never stored here) of the previous hash and the entry's canonical JSON;
    editing or deleting any row breaks the chain from there on, and without the
    key nobody can make a forged entry fit (manage.py audit_verify). Entries
    written before the chain was keyed keep their plain sha256 (``scheme``).
    """

    seq = models.BigIntegerField(unique=True)
    date_created = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    # the requisition an entry belongs to, if any, so its history is one indexed read
    requisition = models.ForeignKey(
        Requisition, null=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=16, choices=AuditScheme)
    key_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's head (last seq and hash) as the nightly watch published it to the auditors.

    Append-only like the entries. ``audit_verify`` checks that every published
    head is still in the chain, so entries cut from its end are caught; someone
    who can rewrite this table too is caught only by the head an auditor kept
    from the email (``audit_verify --head SEQ:HASH``).
    """

    day = models.DateField()  # the night (Jakarta date) it was published
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    date_created = models.DateTimeField()

    class Meta:
        ordering = ["day", "seq"]
        # a retry the same night publishes nothing new; a head someone slipped in for tonight
        # does not stop the real one going out
        constraints = [models.UniqueConstraint(fields=["day", "seq", "hash"], name="audithead_once_a_night")]

    def __str__(self):
        return f"{self.day}: {self.seq}:{self.hash}"


# --- From delivery to the treasurer's file: receipt (BAST), payment, tax, documents ---


class GoodsReceipt(models.Model):
    """One handover (BAST) of an official order: what arrived on one day, recorded by the PPK or receiver.

    An order may arrive in several parts; each recording is numbered 1, 2, ... within its order
    and gets its own BAST document.
    """

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="goods_receipts")
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="goods_receipts")
    seq = models.PositiveSmallIntegerField()
    received_on = models.DateField(_("Tanggal diterima"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.TextField(_("Catatan"), blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="goods_receipt_seq_per_order")]

    def __str__(self):
        return f"BAST {self.order.number}/{self.seq}"


class GoodsReceiptLine(models.Model):
    """What arrived of one order line in one handover, and how much of it was accepted."""

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="receipt_lines")
    quantity_received = models.PositiveIntegerField(_("Diterima"))
    quantity_accepted = models.PositiveIntegerField(_("Diterima baik"))
    rejection_reason = models.TextField(_("Alasan ditolak"), blank=True)

    class Meta:
        ordering = ["receipt", "order_line"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_accepted__lte=F("quantity_received")),
                name="receipt_accepted_within_received",
            ),
            models.UniqueConstraint(fields=["receipt", "order_line"], name="receipt_line_once"),
        ]

    def __str__(self):
        return f"{self.receipt}: {self.quantity_accepted}/{self.quantity_received}"

    @property
    def quantity_rejected(self) -> int:
        return self.quantity_received - self.quantity_accepted


class OrderShortClosure(models.Model):
    """An official order closed as short-delivered: what never arrived is released, with a reason."""

    order = models.OneToOneField("order.Order", on_delete=models.PROTECT, related_name="short_closure")
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("Alasan"))
    amount_released = models.DecimalField(**MONEY)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.order.number}: {self.amount_released}"


class OfficialPayment(models.Model):
    """The treasurer's payment of one official order: the accepted goods, its taxes and the net paid.

    Amounts come from procurement.tax on the payment date and are frozen here; ``gross`` (the
    invoice: price + PPN + PBJT) is what the budget line realises, ``net`` what the seller gets.
    """

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="official_payments")
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("Cara bayar"), max_length=12, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=OfficialPaymentStatus.choices)
    price = models.DecimalField(_("Harga barang/jasa"), **MONEY)
    ppn = models.DecimalField(_("PPN"), **MONEY)
    ppn_collected = models.BooleanField(default=False)
    pbjt = models.DecimalField(_("PBJT"), **MONEY)
    gross = models.DecimalField(_("Total tagihan"), **MONEY)
    withheld = models.DecimalField(_("Dipotong/dipungut"), **MONEY)
    net = models.DecimalField(_("Dibayar ke penjual"), **MONEY)
    contract_document = models.CharField(max_length=20, choices=DocumentKind.choices)
    meterai_required = models.BooleanField(default=False)
    above_direct_purchase_limit = models.BooleanField(default=False)
    split_purchase = models.BooleanField(default=False)
    paid_on = models.DateField(_("Tanggal bayar"))
    bank_reference = models.CharField(_("Referensi bank"), max_length=64, blank=True)
    sp2d_number = models.CharField(_("Nomor SP2D"), max_length=64, blank=True)
    sp2d_date = models.DateField(_("Tanggal SP2D"), null=True, blank=True)
    card_payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="official_payment"
    )
    treasurer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_created = models.DateTimeField(auto_now_add=True)
    date_paid = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]
        constraints = [
            # two treasurers paying one order at once: one payment only
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(status=OfficialPaymentStatus.CANCELLED),
                name="official_payment_once",
            ),
            models.CheckConstraint(
                condition=Q(net__gte=0, withheld__gte=0, gross=F("net") + F("withheld")),
                name="official_payment_net_plus_withheld",
            ),
        ]
        indexes = [
            models.Index(fields=["requisition", "status"], name="official_payment_req"),
            # the spending reports read paid payments by date
            models.Index(fields=["status", "paid_on"], name="official_payment_paid_on"),
        ]

    def __str__(self):
        return f"{self.order.number}: {self.net} ({self.get_status_display()})"


class TaxDeposit(models.Model):
    """One deposit of withheld or collected tax to the state: its billing code and NTPN."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tax_deposits")
    tax = models.CharField(_("Jenis pajak"), max_length=20, choices=TaxKind.choices)
    period_year = models.PositiveSmallIntegerField(_("Tahun masa pajak"))
    period_month = models.PositiveSmallIntegerField(_("Bulan masa pajak"))
    billing_code = models.CharField(_("Kode billing"), max_length=15)
    ntpn = models.CharField(_("NTPN"), max_length=16, unique=True)
    deposited_on = models.DateField(_("Tanggal setor"))
    amount = models.DecimalField(_("Jumlah setor"), **MONEY)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_year", "-period_month", "tax"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="tax_deposit_positive")]

    def __str__(self):
        return f"{self.agency.code} {self.tax} {self.period_month:02d}/{self.period_year}: {self.ntpn}"


class TaxWithholding(models.Model):
    """One tax the treasurer withheld or collected on a payment, with its Coretax object code."""

    payment = models.ForeignKey(OfficialPayment, on_delete=models.CASCADE, related_name="withholdings")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    tax = models.CharField(_("Jenis pajak"), max_length=20, choices=TaxKind.choices)
    object_code = models.CharField(_("Kode objek pajak"), max_length=16, blank=True)
    base = models.DecimalField(_("DPP"), **MONEY)
    rate_percent = models.DecimalField(_("Tarif (%)"), max_digits=6, decimal_places=3)
    amount = models.DecimalField(_("Jumlah"), **MONEY)
    deposit = models.ForeignKey(
        TaxDeposit, null=True, blank=True, on_delete=models.PROTECT, related_name="withholdings"
    )

    class Meta:
        ordering = ["payment", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0, base__gte=0), name="withholding_not_negative")
        ]
        indexes = [models.Index(fields=["agency", "deposit"], name="withholding_agency_deposit")]

    def __str__(self):
        return f"{self.payment}: {self.tax} {self.amount}"

    @property
    def label(self) -> str:
        """The tax's name, as the seller's tables print it (selectors_seller.TaxEstimate.rows alike)."""
        return self.get_tax_display()


class DocumentCounter(models.Model):
    """The last number issued per agency, document kind and year; locked to number without gaps."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "year"], name="document_counter_unique")
        ]

    def __str__(self):
        return f"{self.agency.code} {self.kind} {self.year}: {self.last}"


class OfficialDocument(models.Model):
    """An issued PDF of an official purchase, numbered, hashed and verifiable by its public code.

    The PDF is kept as issued: its SHA-256 is what /verifikasi/<code>/ shows, so a changed
    printout or file no longer matches.
    """

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("Nomor"), max_length=80, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    code = models.CharField(max_length=24, unique=True)
    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="documents")
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="official_documents")
    receipt = models.OneToOneField(
        GoodsReceipt, null=True, blank=True, on_delete=models.PROTECT, related_name="document"
    )
    payment = models.ForeignKey(
        OfficialPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    seller_name = models.CharField(max_length=128)
    total = models.DecimalField(**MONEY)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_issued = models.DateTimeField()

    class Meta:
        ordering = ["order", "date_issued", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "year", "seq"], name="document_number_unique"),
            # one of each kind per order, per handover or per payment: issuing again returns it
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(receipt__isnull=True, payment__isnull=True),
                name="document_once_per_order",
            ),
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(payment__isnull=False),
                name="document_once_per_payment",
            ),
        ]

    def __str__(self):
        return self.number


class SpjBundle(models.Model):
    """An SPJ (the treasurer's expense report) as one ZIP: every document and an index of payments and taxes.

    For one requisition, or for an agency and month; built by a Celery worker when large, with
    its progress shown while it runs.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requisition = models.ForeignKey(
        Requisition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_year = models.PositiveSmallIntegerField(null=True, blank=True)
    period_month = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=128, blank=True)
    content = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date_created = models.DateTimeField(auto_now_add=True)
    date_done = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]

    def __str__(self):
        return self.file_name or f"SPJ {self.agency.code}"
