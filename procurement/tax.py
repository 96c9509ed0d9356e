"""The taxes of one official seller order: PPN, PPh 22, PPh 23, PP 55 final tax, PBJT, the contract
document and the meterai (../shared/DOMAIN.md, "Tax on government purchases").

Pure: no database, no clock. A caller gathers the seller's tax facts and the order's lines,
``tax_quote`` answers what the invoice holds, what the treasurer withholds or collects and what
the seller is paid. Every rate and threshold is a setting (``TaxRules.from_settings``).

The rules, per seller order:

- Rounding: every tax amount is rounded half-up to whole rupiah once per order, never per
  line (PER-11/PJ/2025 art. 129); the PPN base is rounded before the rate is applied.
- PPN only from a PKP seller and never on catering or restaurant food (a regional-tax object):
  base "DPP nilai lain" = price x 11/12, PPN = 12% of it (PMK 131/2024). The treasurer collects
  it unless the payment including PPN is at most ``threshold`` and the purchase was not split.
- PPh 22 on goods: 1.5% of the goods' price (3% without an NPWP), not withheld when that price is
  at most ``threshold`` and the purchase was not split.
- PPh 23 on services (catering, printing, other services): 2% of their price (4% without an
  NPWP), with no threshold.
- A PP 55 certificate valid on the payment date replaces PPh 22 and PPh 23 with a final 0.5% of
  the price they would have been withheld on (goods only where PPh 22 would have been withheld);
  an individual who also gave this year's statement of turnover under Rp500 juta has nothing
  withheld.
- PBJT, the city's tax on food and drink, from a registered caterer or restaurant: its rate of
  the food's price, on the invoice and paid to the seller, never withheld.
- The contract document by the value V (the total invoice, or the whole need's when split):
  up to 10 juta a nota, 50 juta a kuitansi, 200 juta an SPK, above that a surat perjanjian
  (and a red flag: above the direct-purchase limit); on the e-purchasing channel a Surat Pesanan.
- A meterai is due when the receipt states more than 5 juta, and on every SPK or surat perjanjian.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue_ext.abstract_models import SupplyKind
from procurement.statuses import DocumentKind


class Channel(models.TextChoices):
    DIRECT = "pengadaan_langsung", _("Pengadaan langsung")
    E_PURCHASING = "e_purchasing", _("E-purchasing")


class TaxKind(models.TextChoices):
    PPN = "ppn", _("PPN")
    PPH22 = "pph22", _("PPh 22")
    PPH23 = "pph23", _("PPh 23")
    PP55 = "pph_final_pp55", _("PPh final PP 55")


SERVICES = (
    SupplyKind.CATERING,
    SupplyKind.PRINTING,
    SupplyKind.OTHER_SERVICE,
)  # each withheld under its own code
# Coretax object codes of each withholding (BPPU)
OBJECT_CODES = {
    TaxKind.PPH22: "22-910-01",
    SupplyKind.CATERING: "24-104-39",
    SupplyKind.PRINTING: "24-104-54",
    SupplyKind.OTHER_SERVICE: "24-104-65",
    TaxKind.PP55: "28-423-01",
}
PP55_STATEMENT_CODE = "28-423-03"  # the turnover-under-Rp500-juta statement: reported, nothing withheld


@dataclass(frozen=True)
class TaxRules:
    """Rates (fractions) and thresholds (whole rupiah); the defaults are DOMAIN.md's for 2026."""

    ppn_rate: Fraction = Fraction(12, 100)
    ppn_base: Fraction = Fraction(11, 12)
    pph22_rate: Fraction = Fraction(15, 1000)
    pph22_rate_without_npwp: Fraction = Fraction(3, 100)
    pph23_rate: Fraction = Fraction(2, 100)
    pph23_rate_without_npwp: Fraction = Fraction(4, 100)
    pp55_rate: Fraction = Fraction(5, 1000)
    small_purchase: int = 2_000_000
    value_bands: tuple[int, int, int] = (10_000_000, 50_000_000, 200_000_000)
    meterai_above: int = 5_000_000
    meterai: int = 10_000

    @classmethod
    def from_settings(cls) -> "TaxRules":
        percent = {
            name: Fraction(str(value)) / 100 for name, value in settings.PEKEN_TAX_RATES_PERCENT.items()
        }
        return cls(
            **percent,
            ppn_base=Fraction(settings.PEKEN_TAX_PPN_BASE),
            small_purchase=settings.PEKEN_TAX_SMALL_PURCHASE,
            value_bands=tuple(settings.PEKEN_VALUE_BANDS),
            meterai_above=settings.PEKEN_METERAI_ABOVE,
            meterai=settings.PEKEN_METERAI,
        )


@dataclass(frozen=True)
class SellerTaxFacts:
    """What the seller's registration says about tax, as it stands on the payment date."""

    pkp: bool
    has_npwp: bool
    individual: bool
    pp55_certificate_valid: bool = False
    pp55_statement_under_500m: bool = False
    pbjt_registered: bool = False
    pbjt_rate: Fraction = Fraction(10, 100)


@dataclass(frozen=True)
class TaxLine:
    kind: SupplyKind
    price: int  # whole rupiah, before PPN and PBJT
    served_food: bool = False  # food and drink served by a restaurant (PBJT, no PPN)

    @property
    def food(self) -> bool:
        return self.kind == SupplyKind.CATERING or self.served_food


@dataclass(frozen=True)
class Withholding:
    tax: TaxKind
    object_code: str
    base: int
    amount: int
    rate: Fraction = Fraction(0)

    @property
    def rate_percent(self) -> Decimal:
        return Decimal(self.rate.numerator * 100) / Decimal(self.rate.denominator)


@dataclass(frozen=True)
class TaxQuote:
    price: int
    ppn: int
    ppn_collected: bool
    pph22: int
    pph23: int
    pph_final_pp55: int
    pbjt: int
    contract_document: DocumentKind
    meterai_required: bool
    above_direct_purchase_limit: bool
    withholdings: tuple[Withholding, ...] = field(default=())
    split: bool = False
    ppn_base: int = 0  # "DPP nilai lain", rounded, of the lines PPN is charged on
    ppn_rate: Fraction = Fraction(0)

    @property
    def ppn_rate_percent(self) -> Decimal:
        return Decimal(self.ppn_rate.numerator * 100) / Decimal(self.ppn_rate.denominator)

    @property
    def total_invoice(self) -> int:
        return self.price + self.ppn + self.pbjt

    @property
    def total_withheld_or_collected(self) -> int:
        return (self.ppn if self.ppn_collected else 0) + self.pph22 + self.pph23 + self.pph_final_pp55

    @property
    def net_paid_to_seller(self) -> int:
        return self.total_invoice - self.total_withheld_or_collected


def round_half_up(amount: Fraction | int) -> int:
    """Half-up to a whole rupiah (0.5 goes up, -0.5 down), as every tax amount is rounded."""
    amount = Fraction(amount)
    return int((amount * 2 + 1) // 2) if amount >= 0 else -int((-amount * 2 + 1) // 2)


def pp55_valid(*, valid_until: date | None, payment_date: date) -> bool:
    """Whether a PP 55 certificate valid until ``valid_until`` covers a payment on ``payment_date``."""
    return valid_until is not None and payment_date <= valid_until


def contract_document(*, value: int, channel: Channel, rules: TaxRules) -> DocumentKind:
    """The document a purchase of ``value`` (total including taxes) needs (DOMAIN.md's value bands)."""
    if channel == Channel.E_PURCHASING:
        return DocumentKind.SURAT_PESANAN
    nota, kuitansi, spk = rules.value_bands
    if value <= nota:
        return DocumentKind.NOTA
    if value <= kuitansi:
        return DocumentKind.KUITANSI
    if value <= spk:
        return DocumentKind.SPK
    return DocumentKind.SURAT_PERJANJIAN


def tax_quote(
    *,
    seller: SellerTaxFacts,
    lines: Iterable[TaxLine],
    split: bool = False,
    whole_need_total: int | None = None,
    channel: Channel = Channel.DIRECT,
    rules: TaxRules | None = None,
) -> TaxQuote:
    """The taxes, document and meterai of one seller order (this module's docstring states the rules).

    ``split``: the purchase was flagged as part of a larger need, which loses the small-purchase
    exemptions and is valued at ``whole_need_total`` for its document. Raises ValueError for a
    negative price or a price that is not whole rupiah.
    """
    rules = rules or TaxRules.from_settings()
    lines = list(lines)
    if any(not isinstance(line.price, int) or line.price < 0 for line in lines):
        raise ValueError("line prices are whole, non-negative rupiah")
    price = sum(line.price for line in lines)
    goods = sum(line.price for line in lines if line.kind == SupplyKind.GOODS)
    services = {kind: sum(line.price for line in lines if line.kind == kind) for kind in SERVICES}
    taxable = sum(line.price for line in lines if not line.food)
    food = sum(line.price for line in lines if line.food)

    ppn = ppn_base = 0
    if seller.pkp and taxable:
        ppn_base = round_half_up(taxable * rules.ppn_base)
        ppn = round_half_up(ppn_base * rules.ppn_rate)
    pbjt = round_half_up(food * seller.pbjt_rate) if seller.pbjt_registered else 0
    total = price + ppn + pbjt
    small = not split
    ppn_collected = bool(ppn) and not (small and total <= rules.small_purchase)

    withholdings: list[Withholding] = []

    def withhold(tax: TaxKind, code: str, base: int, rate: Fraction) -> None:
        withholdings.append(Withholding(tax, code, base, round_half_up(base * rate), rate))

    pph22_due = goods > 0 and not (small and goods <= rules.small_purchase)
    if seller.pp55_certificate_valid:
        base = (goods if pph22_due else 0) + sum(services.values())
        if base and seller.individual and seller.pp55_statement_under_500m:
            withhold(TaxKind.PP55, PP55_STATEMENT_CODE, base, Fraction(0))
        elif base:
            withhold(TaxKind.PP55, OBJECT_CODES[TaxKind.PP55], base, rules.pp55_rate)
    else:
        if pph22_due:
            rate = rules.pph22_rate if seller.has_npwp else rules.pph22_rate_without_npwp
            withhold(TaxKind.PPH22, OBJECT_CODES[TaxKind.PPH22], goods, rate)
        rate = rules.pph23_rate if seller.has_npwp else rules.pph23_rate_without_npwp
        for kind in SERVICES:
            if services[kind]:
                withhold(TaxKind.PPH23, OBJECT_CODES[kind], services[kind], rate)

    value = whole_need_total if split and whole_need_total else total
    document = contract_document(value=value, channel=channel, rules=rules)
    return TaxQuote(
        price=price,
        ppn=ppn,
        ppn_collected=ppn_collected,
        pph22=sum(w.amount for w in withholdings if w.tax == TaxKind.PPH22),
        pph23=sum(w.amount for w in withholdings if w.tax == TaxKind.PPH23),
        pph_final_pp55=sum(w.amount for w in withholdings if w.tax == TaxKind.PP55),
        pbjt=pbjt,
        contract_document=document,
        meterai_required=total > rules.meterai_above
        or document in (DocumentKind.SPK, DocumentKind.SURAT_PERJANJIAN),
        above_direct_purchase_limit=channel == Channel.DIRECT and value > rules.value_bands[-1],
        withholdings=tuple(withholdings),
        split=split,
        ppn_base=ppn_base,
        ppn_rate=rules.ppn_rate,
    )
