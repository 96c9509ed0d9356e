"""Check the tax engine from outside: ``manage.py tax_quote FILE`` (a JSON list; "-" reads stdin).

Each purchase has exactly the keys of ``INPUT_KEYS``; the answer is a JSON list, one object per
purchase, with the keys of ``OUTPUT_KEYS`` (procurement/tax.py states the rules).
"""

import json
import sys
from fractions import Fraction

from django.core.management.base import BaseCommand, CommandError

from procurement.tax import Channel, SellerTaxFacts, SupplyKind, TaxLine, tax_quote

INPUT_KEYS = {
    "seller_pkp": bool,
    "seller_pp55_certificate": bool,
    "seller_pp55_statement_omzet_under_500m": bool,
    "seller_has_npwp": bool,
    "seller_type": str,
    "seller_pbjt_registered": bool,
    "pbjt_rate_percent": (int, float),
    "item_kind": str,
    "served_food_pbjt": bool,
    "price_excl_ppn": int,
    "split_from_larger_purchase": bool,
    "aggregate_total_incl_taxes": (int, type(None)),
    "method": str,
}
OUTPUT_KEYS = (
    "ppn",
    "pph22",
    "pph23",
    "pph_final_pp55",
    "pbjt",
    "total_invoice",
    "total_withheld_or_collected",
    "net_paid_to_seller",
    "meterai_required",
    "contract_document",
)
SELLER_TYPES = ("individual", "company")


def purchase_quote(purchase: dict, number: int) -> dict:
    """One purchase's answer; raises CommandError naming the purchase and the key at fault."""
    if not isinstance(purchase, dict):
        raise CommandError(f"purchase {number}: expected an object")
    missing, unknown = set(INPUT_KEYS) - set(purchase), set(purchase) - set(INPUT_KEYS)
    if missing or unknown:
        raise CommandError(f"purchase {number}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    for key, kind in INPUT_KEYS.items():
        value = purchase[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise CommandError(f"purchase {number}: {key} has the wrong type ({value!r})")
    choices = {
        "seller_type": SELLER_TYPES,
        "item_kind": tuple(SupplyKind),
        "method": tuple(Channel),
    }
    for key, allowed in choices.items():
        if purchase[key] not in allowed:
            raise CommandError(f"purchase {number}: {key} must be one of {[str(a) for a in allowed]}")
    if purchase["price_excl_ppn"] < 0 or not 0 <= purchase["pbjt_rate_percent"] <= 100:
        raise CommandError(f"purchase {number}: price_excl_ppn and pbjt_rate_percent cannot be negative")
    seller = SellerTaxFacts(
        pkp=purchase["seller_pkp"],
        has_npwp=purchase["seller_has_npwp"],
        individual=purchase["seller_type"] == "individual",
        pp55_certificate_valid=purchase["seller_pp55_certificate"],
        pp55_statement_under_500m=purchase["seller_pp55_statement_omzet_under_500m"],
        pbjt_registered=purchase["seller_pbjt_registered"],
        pbjt_rate=Fraction(str(purchase["pbjt_rate_percent"])) / 100,
    )
    quote = tax_quote(
        seller=seller,
        lines=[
            TaxLine(
                SupplyKind(purchase["item_kind"]), purchase["price_excl_ppn"], purchase["served_food_pbjt"]
            )
        ],
        split=purchase["split_from_larger_purchase"],
        whole_need_total=purchase["aggregate_total_incl_taxes"],
        channel=Channel(purchase["method"]),
    )
    answer = {key: getattr(quote, key) for key in OUTPUT_KEYS}
    answer["contract_document"] = str(quote.contract_document)
    return answer


class Command(BaseCommand):
    help = "Quote the taxes of official purchases given as a JSON list (see procurement/tax.py)."

    def add_arguments(self, parser):
        parser.add_argument("file", help='a JSON file, or "-" for standard input')

    def handle(self, *args, **options):
        try:
            if options["file"] == "-":
                purchases = json.load(sys.stdin)
            else:
                with open(options["file"], encoding="utf-8") as file:
                    purchases = json.load(file)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        if not isinstance(purchases, list):
            raise CommandError("expected a JSON list of purchases")
        answers = [purchase_quote(purchase, number) for number, purchase in enumerate(purchases, 1)]
        self.stdout.write(json.dumps(answers, indent=2))
