"""The tax engine of official purchases (procurement/tax.py): the rules case by case, the boundary
rupiah on both sides of each threshold, properties over many purchases, and `manage.py tax_quote`."""

import json
from datetime import date
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.statuses import DocumentKind
from procurement.tax import (
    Channel,
    SellerTaxFacts,
    SupplyKind,
    TaxKind,
    TaxLine,
    TaxRules,
    pp55_valid,
    round_half_up,
    tax_quote,
)

RULES = TaxRules()
PKP = SellerTaxFacts(pkp=True, has_npwp=True, individual=False)
NON_PKP = SellerTaxFacts(pkp=False, has_npwp=True, individual=True)


def quote(seller=PKP, kind=SupplyKind.GOODS, price=10_000_000, **kwargs):
    served = kwargs.pop("served_food", False)
    return tax_quote(seller=seller, lines=[TaxLine(kind, price, served)], rules=RULES, **kwargs)


def test_the_defaults_are_the_settings():
    assert TaxRules.from_settings() == RULES


def test_rounding_is_half_up_to_whole_rupiah():
    assert [round_half_up(Fraction(n, 2)) for n in (1, 2, 3, 5, -1, -3)] == [1, 1, 2, 3, -1, -2]
    assert round_half_up(Fraction(14_999, 10_000)) == 1


def test_goods_from_a_pkp_seller_pay_ppn_on_eleven_twelfths_and_pph22():
    q = quote(price=10_000_000)
    # DPP nilai lain 9,166,666.67 -> 9,166,667 (rounded first), 12 % -> 1,100,000.04 -> 1,100,000
    assert (q.ppn, q.ppn_collected, q.pph22, q.pph23, q.pbjt) == (1_100_000, True, 150_000, 0, 0)
    assert q.total_invoice == 11_100_000
    assert q.total_withheld_or_collected == 1_250_000 and q.net_paid_to_seller == 9_850_000
    assert q.contract_document == DocumentKind.KUITANSI and q.meterai_required
    assert [(w.tax, w.object_code, w.base) for w in q.withholdings] == [
        (TaxKind.PPH22, "22-910-01", 10_000_000)
    ]


def test_a_seller_without_npwp_has_double_rates():
    no_npwp = SellerTaxFacts(pkp=False, has_npwp=False, individual=True)
    assert quote(no_npwp, price=5_000_000).pph22 == 150_000  # 3 %
    assert quote(no_npwp, SupplyKind.PRINTING, 5_000_000).pph23 == 200_000  # 4 %


def test_services_pay_pph23_with_their_object_code_and_no_threshold():
    for kind, code in (
        (SupplyKind.CATERING, "24-104-39"),
        (SupplyKind.PRINTING, "24-104-54"),
        (SupplyKind.OTHER_SERVICE, "24-104-65"),
    ):
        q = quote(NON_PKP, kind, 100_000)
        assert (q.pph23, q.withholdings[0].object_code) == (2_000, code)


def test_catering_and_restaurant_food_pay_pbjt_not_ppn():
    caterer = SellerTaxFacts(pkp=True, has_npwp=True, individual=False, pbjt_registered=True)
    q = quote(caterer, SupplyKind.CATERING, 3_000_000)
    assert (q.ppn, q.pbjt, q.pph23) == (0, 300_000, 60_000)
    assert q.total_invoice == 3_300_000 and q.net_paid_to_seller == 3_240_000  # PBJT goes to the seller
    restaurant = quote(caterer, SupplyKind.GOODS, 1_000_000, served_food=True)
    assert (restaurant.ppn, restaurant.pbjt) == (0, 100_000)
    unregistered = quote(PKP, SupplyKind.CATERING, 3_000_000)
    assert (unregistered.ppn, unregistered.pbjt) == (0, 0)


def test_pp55_replaces_pph22_and_pph23_with_half_a_percent_final():
    pp55 = SellerTaxFacts(pkp=False, has_npwp=True, individual=False, pp55_certificate_valid=True)
    q = quote(pp55, price=4_000_000)
    assert (q.pph22, q.pph_final_pp55, q.withholdings[0].object_code) == (0, 20_000, "28-423-01")
    assert quote(pp55, SupplyKind.PRINTING, 1_000_000).pph_final_pp55 == 5_000
    # on goods only where PPh 22 would have been withheld
    assert quote(pp55, price=2_000_000).pph_final_pp55 == 0
    assert quote(pp55, price=2_000_000, split=True, whole_need_total=6_000_000).pph_final_pp55 == 10_000


def test_an_individual_with_the_turnover_statement_has_nothing_withheld_but_reported():
    statement = SellerTaxFacts(
        pkp=False, has_npwp=True, individual=True, pp55_certificate_valid=True, pp55_statement_under_500m=True
    )
    q = quote(statement, price=8_000_000)
    assert q.total_withheld_or_collected == 0 and q.net_paid_to_seller == 8_000_000
    assert [(w.object_code, w.amount) for w in q.withholdings] == [("28-423-03", 0)]
    # a company's statement does not count
    company = SellerTaxFacts(
        pkp=False,
        has_npwp=True,
        individual=False,
        pp55_certificate_valid=True,
        pp55_statement_under_500m=True,
    )
    assert quote(company, price=8_000_000).pph_final_pp55 == 40_000


def test_a_pp55_certificate_counts_only_on_payment_dates_it_covers():
    assert pp55_valid(valid_until=date(2026, 12, 31), payment_date=date(2026, 12, 31))
    assert not pp55_valid(valid_until=date(2026, 12, 31), payment_date=date(2027, 1, 1))
    assert not pp55_valid(valid_until=None, payment_date=date(2026, 6, 1))


def test_the_small_purchase_exemptions_at_the_boundary_rupiah():
    # PPh 22: at most Rp2.000.000 before PPN is exempt, one rupiah more is not
    assert quote(NON_PKP, price=2_000_000).pph22 == 0
    assert quote(NON_PKP, price=2_000_001).pph22 == 30_000
    # PPN: collected unless the payment including PPN is at most Rp2.000.000
    at = quote(PKP, price=1_801_801)  # PPN 198,198: 1,999,999
    above = quote(PKP, price=1_801_803)  # PPN 198,198: 2,000,001
    assert at.total_invoice <= 2_000_000 and not at.ppn_collected
    assert above.total_invoice > 2_000_000 and above.ppn_collected
    # a split purchase loses both exemptions
    split = quote(PKP, price=1_000_000, split=True, whole_need_total=30_000_000)
    assert split.ppn_collected and split.pph22 == 15_000


def test_the_contract_document_and_meterai_by_value():
    cases = [
        (10_000_000, DocumentKind.NOTA, True),
        (10_000_001, DocumentKind.KUITANSI, True),
        (50_000_000, DocumentKind.KUITANSI, True),
        (50_000_001, DocumentKind.SPK, True),
        (200_000_000, DocumentKind.SPK, True),
        (200_000_001, DocumentKind.SURAT_PERJANJIAN, True),
        (5_000_000, DocumentKind.NOTA, False),
        (5_000_001, DocumentKind.NOTA, True),
    ]
    for total, document, meterai in cases:
        q = quote(NON_PKP, SupplyKind.OTHER_SERVICE, total)
        assert (q.contract_document, q.meterai_required) == (document, meterai), total
    assert quote(NON_PKP, price=200_000_001).above_direct_purchase_limit
    assert not quote(NON_PKP, price=200_000_000).above_direct_purchase_limit
    # a split purchase is valued at the whole need; e-purchasing always has a Surat Pesanan
    split = quote(NON_PKP, price=9_000_000, split=True, whole_need_total=60_000_000)
    assert split.contract_document == DocumentKind.SPK and split.meterai_required
    e_catalogue = quote(NON_PKP, price=300_000_000, channel=Channel.E_PURCHASING)
    assert e_catalogue.contract_document == DocumentKind.SURAT_PESANAN
    assert not e_catalogue.above_direct_purchase_limit


def test_taxes_are_rounded_per_order_not_per_line():
    # three lines of Rp333.333 printing: 2 % of each is 6,666.66 (6,667 per line, 20,001 in all);
    # on the order's Rp999.999 it is 19,999.98 -> 19,999... rounded once: 20,000
    lines = [TaxLine(SupplyKind.PRINTING, 333_333)] * 3
    assert tax_quote(seller=NON_PKP, lines=lines, rules=RULES).pph23 == round_half_up(
        Fraction(999_999 * 2, 100)
    )


def test_a_price_that_is_not_whole_non_negative_rupiah_is_refused():
    with pytest.raises(ValueError):
        quote(price=-1)
    with pytest.raises(ValueError):
        tax_quote(seller=PKP, lines=[TaxLine(SupplyKind.GOODS, 10.5)], rules=RULES)


sellers = st.builds(
    SellerTaxFacts,
    pkp=st.booleans(),
    has_npwp=st.booleans(),
    individual=st.booleans(),
    pp55_certificate_valid=st.booleans(),
    pp55_statement_under_500m=st.booleans(),
    pbjt_registered=st.booleans(),
    pbjt_rate=st.fractions(min_value=0, max_value=Fraction(1, 10)),
)
lines = st.lists(
    st.builds(
        TaxLine,
        kind=st.sampled_from(list(SupplyKind)),
        price=st.integers(min_value=0, max_value=500_000_000),
        served_food=st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(seller=sellers, lines=lines, split=st.booleans(), channel=st.sampled_from(list(Channel)))
def test_amounts_add_up_and_are_never_negative(seller, lines, split, channel):
    q = tax_quote(
        seller=seller, lines=lines, split=split, whole_need_total=None, channel=channel, rules=RULES
    )
    amounts = (q.ppn, q.pph22, q.pph23, q.pph_final_pp55, q.pbjt, q.net_paid_to_seller)
    assert all(amount >= 0 for amount in amounts)
    assert q.net_paid_to_seller + q.total_withheld_or_collected == q.total_invoice
    assert q.pph22 + q.pph23 + q.pph_final_pp55 <= q.price  # withholding never exceeds the price
    assert sum(w.amount for w in q.withholdings) == q.pph22 + q.pph23 + q.pph_final_pp55
    assert not (q.pph_final_pp55 and (q.pph22 or q.pph23))  # PP 55 replaces the others


@settings(max_examples=200, deadline=None)
@given(threshold=st.integers(min_value=1, max_value=50_000_000), has_npwp=st.booleans(), pkp=st.booleans())
def test_the_thresholds_hold_at_their_boundary_rupiah(threshold, has_npwp, pkp):
    rules = TaxRules(small_purchase=threshold, meterai_above=threshold)
    seller = SellerTaxFacts(pkp=pkp, has_npwp=has_npwp, individual=False)
    rate = rules.pph22_rate if has_npwp else rules.pph22_rate_without_npwp
    at = tax_quote(seller=seller, lines=[TaxLine(SupplyKind.GOODS, threshold)], rules=rules)
    above = tax_quote(seller=seller, lines=[TaxLine(SupplyKind.GOODS, threshold + 1)], rules=rules)
    assert at.pph22 == 0 and above.pph22 == round_half_up((threshold + 1) * rate)
    assert above.meterai_required and (at.meterai_required == (at.total_invoice > threshold))


def purchase(**overrides) -> dict:
    return {
        "seller_pkp": True,
        "seller_pp55_certificate": False,
        "seller_pp55_statement_omzet_under_500m": False,
        "seller_has_npwp": True,
        "seller_type": "company",
        "seller_pbjt_registered": False,
        "pbjt_rate_percent": 10,
        "item_kind": "goods",
        "served_food_pbjt": False,
        "price_excl_ppn": 10_000_000,
        "split_from_larger_purchase": False,
        "aggregate_total_incl_taxes": None,
        "method": "pengadaan_langsung",
        **overrides,
    }


def test_the_tax_quote_command_reads_purchases_and_prints_their_taxes(tmp_path, capsys):
    path = tmp_path / "purchases.json"
    path.write_text(
        json.dumps(
            [
                purchase(),
                purchase(
                    item_kind="catering_service",
                    seller_pbjt_registered=True,
                    price_excl_ppn=3_000_000,
                    seller_pkp=False,
                ),
            ]
        )
    )
    call_command("tax_quote", str(path))
    goods, catering = json.loads(capsys.readouterr().out)
    assert goods == {
        "ppn": 1_100_000,
        "pph22": 150_000,
        "pph23": 0,
        "pph_final_pp55": 0,
        "pbjt": 0,
        "total_invoice": 11_100_000,
        "total_withheld_or_collected": 1_250_000,
        "net_paid_to_seller": 9_850_000,
        "meterai_required": True,
        "contract_document": "kuitansi",
    }
    assert (catering["pbjt"], catering["pph23"], catering["net_paid_to_seller"]) == (
        300_000,
        60_000,
        3_240_000,
    )


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"colour": "red"}, "unknown ['colour']"),
        ({"price_excl_ppn": "1000"}, "price_excl_ppn has the wrong type"),
        ({"item_kind": "gold"}, "item_kind must be one of"),
        ({"price_excl_ppn": -5}, "cannot be negative"),
    ],
)
def test_the_tax_quote_command_names_what_is_wrong(tmp_path, bad, says):
    path = tmp_path / "purchases.json"
    path.write_text(json.dumps([purchase(**bad)]))
    with pytest.raises(CommandError, match="purchase 1: ") as error:
        call_command("tax_quote", str(path))
    assert says in str(error.value)
