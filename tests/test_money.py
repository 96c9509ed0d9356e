"""peken.money: rupiah written (Rp150.000), read from forms and CSV files, and spelt (terbilang)."""

import random
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from oscar.templatetags.currency_filters import currency

from orders.forms import DeliveryTermsForm
from peken.forms import RupiahField
from peken.money import (
    MAX_WORDS,
    RupiahError,
    rupiah_format,
    rupiah_parse,
    rupiah_round,
    rupiah_words,
    whole_number_format,
    whole_number_parse,
)
from sellers.forms import SellerRegistrationForm


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal(0), "Rp0"),
        (1, "Rp1"),
        (999, "Rp999"),
        (1000, "Rp1.000"),
        (Decimal(150000), "Rp150.000"),
        (Decimal("150000.00"), "Rp150.000"),  # Oscar's prices carry two decimal places
        (Decimal(-1500), "-Rp1.500"),
        (Decimal("1000000000000"), "Rp1.000.000.000.000"),
        (Decimal("1500.50"), "Rp1.501"),  # half-up, the business rule
        (Decimal("1500.49"), "Rp1.500"),
        (Decimal("2.5"), "Rp3"),  # half-up, not banker's rounding to Rp2
        (Decimal("-1500.5"), "-Rp1.501"),  # half away from zero
        (Decimal("-0.4"), "Rp0"),  # no "-Rp0"
        ("150000.00", "Rp150.000"),  # as stored in the audit trail's JSON
        (Decimal(10**30), "Rp1" + ".000" * 10),  # more digits than Decimal's default precision
    ],
)
def test_rupiah_is_written_with_dot_thousands_and_no_decimals(amount, shown):
    # given an amount, when it is formatted in Indonesian and in English, then it reads the same
    for language in ("id", "en"):
        with translation.override(language):
            assert rupiah_format(amount) == shown


@pytest.mark.parametrize("amount", [0, 1, 999, 1000, 150000, -1500, 1_250_000, 10**12, -(10**9)])
def test_oscar_currency_filter_agrees_on_whole_rupiah(amount):
    # given a whole amount, when Oscar's own templates show it, then they agree with peken.money
    for language in ("id", "en"):
        with translation.override(language):
            assert currency(Decimal(amount), "IDR") == rupiah_format(Decimal(amount))


def test_the_template_filters_format_and_spell_and_leave_non_numbers_empty():
    # given a template using peken_money
    template = Template(
        "{% load peken_money %}{{ a|rupiah }}|{{ b|rupiah }}|{{ c|rupiah }}|{{ a|terbilang }}"
    )
    # when it shows an amount, a negative amount and nothing, then each reads as peken.money writes it
    shown = template.render(Context({"a": Decimal(1500), "b": Decimal(-1500), "c": None}))
    assert shown == "Rp1.500|-Rp1.500||Seribu lima ratus rupiah"


def test_without_the_symbol_a_cell_or_an_input_reads_as_a_number():
    assert rupiah_format(Decimal(15_000_000), symbol=False) == "15.000.000"
    assert rupiah_format(Decimal(-1500), symbol=False) == "-1.500"
    assert whole_number_format(10_000_000) == "10.000.000"


@pytest.mark.parametrize("bad", [1500.0, True, None, [1500]])
def test_a_float_or_a_non_number_is_not_formatted(bad):
    # money is Decimal: a float is a bug upstream, not something to show
    with pytest.raises(TypeError):
        rupiah_format(bad)


@pytest.mark.parametrize("bad", ["seribu", Decimal("NaN"), Decimal("Infinity"), ""])
def test_text_that_is_no_number_and_infinities_are_not_formatted(bad):
    with pytest.raises(ValueError):
        rupiah_format(bad)


def test_rounding_is_half_up_to_whole_rupiah():
    assert rupiah_round(Decimal("0.5")) == 1
    assert rupiah_round(Decimal("1.49")) == 1
    assert rupiah_round(Decimal("-2.5")) == -3
    assert rupiah_round(7) == 7


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("15000000", 15_000_000),
        ("15.000.000", 15_000_000),
        ("15.000.000,00", 15_000_000),  # SIPD
        ("15.000.000,0", 15_000_000),
        ("15000000.00", 15_000_000),  # a spreadsheet in English
        ("Rp15.000.000", 15_000_000),
        ("Rp 15.000.000", 15_000_000),
        ("Rp. 15.000", 15_000),
        ("rp15000", 15_000),
        ("  2.500 ", 2500),
        ("2.500", 2500),
        ("1\u00a0500", 1500),  # a non-breaking space between thousands
        ("0", 0),
        ("-1.500", -1500),
        ("-Rp1.500", -1500),  # as rupiah_format writes it
        ("Rp-1.500", -1500),
        ("Rp -1.500,00", -1500),
    ],
)
def test_rupiah_is_read_as_people_type_it(text, amount):
    # given text as typed in a form or a CSV cell, when it is read, then it is that many whole rupiah
    parsed = rupiah_parse(text)
    assert parsed == amount and isinstance(parsed, Decimal) and parsed.as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2.5", "ambiguous"),  # 2,5 or 2.500? never Rp25
        ("2.50", "ambiguous"),
        ("1500.5", "ambiguous"),
        ("12.500,50", "fraction"),
        ("1,5", "fraction"),
        ("15.000.000,01", "fraction"),
        ("15,000,000", "comma"),
        ("15,000", "comma"),  # Rp15 in Indonesian, Rp15.000 in English: refused, not guessed
        ("15,000.00", "comma"),
        ("", "invalid"),
        ("   ", "invalid"),
        ("Rp", "invalid"),
        ("-", "invalid"),
        ("satu juta", "invalid"),
        ("1e5", "invalid"),
        ("15.00.000", "invalid"),
        ("1.5000", "invalid"),
        ("1.500.0000", "invalid"),
        ("--1.500", "invalid"),
        ("-Rp-1.500", "invalid"),
        ("Rp--5", "invalid"),
        ("+1500", "invalid"),
        ("1.500,", "invalid"),
        ("1.500,000,00", "comma"),
        ("\u0661\u0662", "invalid"),  # Arabic-Indic digits
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
    ],
)
def test_text_that_is_not_whole_rupiah_is_refused_with_its_reason(text, code):
    with pytest.raises(RupiahError) as refused:
        rupiah_parse(text)
    assert refused.value.code == code
    assert refused.value.message  # a sentence to show the person


def test_only_text_is_parsed():
    with pytest.raises(TypeError):
        rupiah_parse(1500)


def test_a_huge_number_is_read_as_above_every_limit_not_exactly():
    assert rupiah_parse("9" * 5000) == 10**30
    assert whole_number_parse("9" * 5000) == 10**30


@pytest.mark.parametrize(("text", "number"), [("1500", 1500), ("1.500", 1500), ("-3", -3), (" 40 ", 40)])
def test_a_count_is_read_with_the_same_dot_thousands(text, number):
    assert whole_number_parse(text) == number


@pytest.mark.parametrize("text", ["1.5", "1,00", "Rp5", "1e5", "", "--3", "dua"])
def test_a_count_that_is_not_a_whole_number_is_refused(text):
    with pytest.raises(RupiahError):
        whole_number_parse(text)


def test_what_is_written_reads_back_as_the_same_amount():
    # given many whole amounts, small and large, positive and negative (a seeded sample, so a failure repeats)
    sample = random.Random(20261201)
    amounts = [
        0,
        1,
        -1,
        999,
        1000,
        10**15,
        *(sample.randrange(-(10**15), 10**15) for _ in range(2000)),
        *(sample.randrange(0, 10 ** sample.randrange(1, 16)) for _ in range(2000)),
    ]
    for amount in amounts:
        # when one is written, with and without the symbol, then reading it gives it back
        assert rupiah_parse(rupiah_format(Decimal(amount))) == amount
        assert rupiah_parse(rupiah_format(Decimal(amount), symbol=False)) == amount
        assert whole_number_parse(whole_number_format(amount)) == amount


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (12, "dua belas rupiah"),
        (19, "sembilan belas rupiah"),
        (20, "dua puluh rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (101, "seratus satu rupiah"),
        (111, "seratus sebelas rupiah"),
        (999, "sembilan ratus sembilan puluh sembilan rupiah"),
        (1000, "seribu rupiah"),
        (1001, "seribu satu rupiah"),
        (1100, "seribu seratus rupiah"),
        (1500, "seribu lima ratus rupiah"),
        (2000, "dua ribu rupiah"),
        (10000, "sepuluh ribu rupiah"),
        (11000, "sebelas ribu rupiah"),
        (100000, "seratus ribu rupiah"),
        (101000, "seratus satu ribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (1_000_001, "satu juta satu rupiah"),
        (1_234_567, "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh tujuh rupiah"),
        (200_000_000, "dua ratus juta rupiah"),
        (10**9, "satu miliar rupiah"),
        (1_000_001_000, "satu miliar seribu rupiah"),
        (10**12, "satu triliun rupiah"),
        (Decimal("1500.00"), "seribu lima ratus rupiah"),
        (-1500, "minus seribu lima ratus rupiah"),
    ],
)
def test_amounts_are_spelt_as_on_a_receipt(amount, words):
    assert rupiah_words(amount) == words


def test_the_words_can_start_a_document_line():
    assert rupiah_words(1_500_000, capitalised=True) == "Satu juta lima ratus ribu rupiah"
    assert rupiah_words(0, capitalised=True) == "Nol rupiah"


def test_the_largest_amount_spelt_ends_in_triliun_and_beyond_is_refused():
    assert rupiah_words(MAX_WORDS).startswith("sembilan ratus sembilan puluh sembilan triliun ")
    with pytest.raises(ValueError):
        rupiah_words(MAX_WORDS + 1)


@pytest.mark.parametrize(
    ("bad", "error"), [(Decimal("1500.5"), ValueError), (Decimal("NaN"), ValueError), (1500.0, TypeError)]
)
def test_a_fraction_or_a_float_is_not_spelt(bad, error):
    with pytest.raises(error):
        rupiah_words(bad)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2.5", "Tulis ribuan dengan titik"),
        ("12.500,50", "rupiah utuh"),
        ("15,000", "Pakai titik untuk ribuan"),
        ("-1.500", "Tidak boleh negatif."),
        ("sejuta", "Tulis jumlah rupiah dengan angka"),
    ],
)
def test_the_form_field_turns_a_refusal_into_its_message(typed, error):
    field = RupiahField()
    with pytest.raises(Exception) as refused:
        field.clean(typed)
    assert error in " ".join(refused.value.messages)
    assert field.clean("Rp 1.500.000") == Decimal(1_500_000)


def test_the_shop_registration_no_longer_reads_2_5_as_25_rupiah():
    # given a registration whose turnover is typed "2.5"
    form = SellerRegistrationForm({"annual_sales": "2.5"})
    # when it is checked, then the turnover is refused with a sentence, not taken as Rp25
    assert not form.is_valid()
    assert "Tulis ribuan dengan titik" in " ".join(form.errors["annual_sales"])
    # and "350.000.000" is three hundred and fifty million
    form = SellerRegistrationForm({"annual_sales": "350.000.000"})
    form.is_valid()
    assert form.cleaned_data["annual_sales"] == 350_000_000


def test_delivery_fees_are_read_as_rupiah_with_dot_thousands():
    # given fees typed as sellers write them
    form = DeliveryTermsForm(
        {"local_fee": "10.000", "near_fee": "Rp 15.000", "middle_fee": "", "far_fee": "2.5"}
    )
    # then 10.000 is ten thousand, an empty fee means no delivery there, and 2.5 is refused
    assert not form.is_valid()
    assert form.cleaned_data["local_fee"] == 10_000 and form.cleaned_data["near_fee"] == 15_000
    assert form.cleaned_data["middle_fee"] is None
    assert "far_fee" in form.errors
    assert DeliveryTermsForm({"local_fee": "2.000.000.000"}).errors["local_fee"]
