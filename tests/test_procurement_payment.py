"""The treasurer's payment of official orders: who, when, the tax engine's amounts, budget, KKPD, deposits."""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue_ext.abstract_models import SupplyKind
from orders.services import order_status_change
from orders.statuses import OrderStatus, Party
from payments import services as payments
from payments.models import Payment, PaymentStatus
from peken.money import rupiah_format
from procurement import selectors_fulfilment as fulfilment
from procurement.audit import audit_verify
from procurement.models import (
    AuditEntry,
    BudgetCommitment,
    BudgetLine,
    Membership,
    OfficialPayment,
    TaxDeposit,
    TaxWithholding,
)
from procurement.services import (
    BudgetExceeded,
    PaymentAlreadyRecorded,
    PaymentRefused,
    ReceivedLine,
    goods_receipt_record,
    official_payment_card_cancel,
    official_payment_card_confirm,
    official_payment_card_start,
    official_payment_record,
    order_close_short,
    tax_deposit_record,
)
from procurement.statuses import CommitmentStatus, OfficialPaymentStatus, PaymentMethod, Role
from procurement.tax import SellerTaxFacts, TaxKind, TaxLine, round_half_up, tax_quote
from sellers.abstract_models import TaxpayerType
from tests.budget_identities import assert_budget_identities
from tests.factories import product_create, seller_create
from tests.fulfilment_world import approved, delivered, fulfilment_world, sent
from tests.procurement_factories import AgencyFactory, person_with_roles
from tests.stripe_server import intent_event

Order = get_model("order", "Order")
Partner = get_model("partner", "Partner")
OK_CARD = "4242424242424242"
BILLING = "123456789012345"
NTPN = "A1B2C3D4E5F6G7H8"


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def _today():
    return timezone.localdate()


def received(order, world, *, rejected: dict | None = None, on=None):
    """Record everything of ``order`` as arrived in one handover (``rejected``: {product: count})."""
    rejected = rejected or {}
    lines = {}
    for line in order.lines.all():
        no = rejected.get(line.product_id, 0)
        lines[line.pk] = ReceivedLine(line.quantity, line.quantity - no, "Rusak" if no else "")
    goods_receipt_record(order=order, actor=world.ppk, received_on=on or _today(), lines=lines)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    return order


def pay(order, world, **kwargs):
    values = {"method": PaymentMethod.UP_TRANSFER, "paid_on": _today(), "bank_reference": "TRX-001"} | kwargs
    return official_payment_record(order=order, actor=world.treasurer, **values)


def _fields(payment) -> dict:
    return {
        "price": payment.price,
        "ppn": payment.ppn,
        "ppn_collected": payment.ppn_collected,
        "pbjt": payment.pbjt,
        "gross": payment.gross,
        "withheld": payment.withheld,
        "net": payment.net,
        "contract_document": payment.contract_document,
        "meterai_required": payment.meterai_required,
    }


def _quote_fields(quote) -> dict:
    return {
        "price": quote.price,
        "ppn": quote.ppn,
        "ppn_collected": quote.ppn_collected,
        "pbjt": quote.pbjt,
        "gross": quote.total_invoice,
        "withheld": quote.total_withheld_or_collected,
        "net": quote.net_paid_to_seller,
        "contract_document": quote.contract_document,
        "meterai_required": quote.meterai_required,
    }


def _withholdings(payment) -> set[tuple]:
    return {(w.tax, w.object_code, w.base, w.amount) for w in payment.withholdings.all()}


# who and when


def test_paying_before_the_order_is_complete_is_refused(world):
    # given an order of which only part has arrived
    order = delivered(world).orders[world.ani.pk]
    beras = order.lines.get(product=world.beras)
    goods_receipt_record(
        order=order, actor=world.ppk, received_on=_today(), lines={beras.pk: ReceivedLine(30, 30)}
    )
    # when the treasurer pays it, then it is refused and nothing is realised
    with pytest.raises(PaymentRefused, match="belum selesai diterima"):
        pay(order, world)
    assert not OfficialPayment.objects.exists()
    # and an order not yet delivered at all is refused too
    with pytest.raises(PaymentRefused, match="belum selesai diterima"):
        pay(delivered(world).orders[world.darto.pk], world)
    assert assert_budget_identities(world.line).realised == 0


def test_the_requester_may_not_pay_even_holding_the_treasurer_role(world):
    # given the requester also holds the treasurer role, and her order is received
    Membership.objects.create(user=world.requester, agency=world.agency, role=Role.TREASURER)
    order = received(delivered(world).orders[world.darto.pk], world)
    # when she pays it, then it is refused naming the treasurer who can
    with pytest.raises(PaymentRefused, match="pemohon") as refused:
        official_payment_record(
            order=order,
            actor=world.requester,
            method=PaymentMethod.UP_TRANSFER,
            paid_on=_today(),
            bank_reference="TRX-9",
        )
    assert "Fitri Uji" in str(refused.value) and "Rina Uji" not in str(refused.value)
    with pytest.raises(PaymentRefused, match="pemohon"):
        official_payment_card_start(order=order, actor=world.requester)
    # and a PPK is not a treasurer: told who pays
    with pytest.raises(PaymentRefused, match="bendahara pengeluaran .*Fitri Uji"):
        official_payment_record(order=order, actor=world.ppk, method=PaymentMethod.UP_CASH, paid_on=_today())
    assert not OfficialPayment.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"method": PaymentMethod.UP_TRANSFER, "bank_reference": "  "}, "referensi transfer"),
        ({"method": PaymentMethod.LS, "bank_reference": "", "sp2d_number": ""}, "SP2D"),
        ({"method": PaymentMethod.LS, "sp2d_number": "SP2D-1", "sp2d_date": None}, "SP2D"),
        ({"paid_on": timedelta(days=1)}, "masa depan"),  # from today
        ({"method": PaymentMethod.KKPD}, "kartu"),
        ({"method": "bitcoin"}, "cara bayar"),
    ],
)
def test_a_payment_missing_what_its_method_needs_is_refused(world, values, message):
    # given a received order
    order = received(delivered(world).orders[world.darto.pk], world)
    if "paid_on" in values:
        values = values | {"paid_on": _today() + values["paid_on"]}
    # when it is paid without what its method needs, then it is refused
    with pytest.raises(PaymentRefused, match=message):
        pay(order, world, **values)
    assert not OfficialPayment.objects.exists()


def test_a_payment_dated_before_the_last_handover_is_refused(world):
    # given an order received in two handovers, the last one today
    order = delivered(world).orders[world.darto.pk]
    nasi = order.lines.get()
    for days_ago, count in ((3, 20), (0, 20)):
        goods_receipt_record(
            order=order,
            actor=world.ppk,
            received_on=_today() - timedelta(days=days_ago),
            lines={nasi.pk: ReceivedLine(count, count)},
        )
    # when the treasurer dates the payment yesterday, then it is refused: paid before received
    with pytest.raises(PaymentRefused, match="sebelum barang terakhir diterima"):
        pay(order, world, paid_on=_today() - timedelta(days=1))
    assert not OfficialPayment.objects.exists()
    # and on the day of the last handover it is paid
    assert pay(order, world).paid_on == _today()


def test_ls_and_cash_payments_record_what_they_need(world):
    # given both orders of a requisition received
    purchase = delivered(world)
    ani, darto = (received(purchase.orders[s.pk], world) for s in (world.ani, world.darto))
    # when one is paid by LS and the other in cash
    by_ls = pay(
        ani,
        world,
        method=PaymentMethod.LS,
        bank_reference="",
        sp2d_number=" 00123/SP2D/2026 ",
        sp2d_date=_today(),
    )
    in_cash = pay(darto, world, method=PaymentMethod.UP_CASH, bank_reference="")
    assert (by_ls.sp2d_number, by_ls.sp2d_date, by_ls.status) == ("00123/SP2D/2026", _today(), "lunas")
    assert (in_cash.method, in_cash.sp2d_date, in_cash.status) == (PaymentMethod.UP_CASH, None, "lunas")


def test_an_order_is_paid_once(world):
    # given an order received and paid
    order = received(delivered(world).orders[world.darto.pk], world)
    first = pay(order, world)
    # when it is paid again, then it is refused with the first payment
    with pytest.raises(PaymentAlreadyRecorded, match="sudah dibayar oleh Fitri Uji") as again:
        pay(order, world, bank_reference="TRX-002")
    assert again.value.payment == first
    assert OfficialPayment.objects.count() == 1
    assert assert_budget_identities(world.line).realised == first.gross


def test_a_treasurer_of_another_agency_may_not_pay(world):
    # given a treasurer of another agency and a received order
    other = AgencyFactory(name="Dinas Pendidikan Uji", code="dispendik-uji")
    outsider = person_with_roles(agency=other, roles=[Role.TREASURER], email="indah@dispendik.uji")
    order = received(delivered(world).orders[world.darto.pk], world)
    # when they pay it, then it is refused naming who can
    with pytest.raises(PaymentRefused, match="Dinas Kesehatan Uji: Fitri Uji"):
        official_payment_record(order=order, actor=outsider, method=PaymentMethod.UP_CASH, paid_on=_today())
    # nor deposit this agency's taxes
    withholding = pay(order, world).withholdings.get()
    with pytest.raises(PaymentRefused, match="bendahara"):
        _deposit(world, [withholding.pk], tax=TaxKind.PPH23, actor=outsider)


def test_the_seller_and_the_requester_are_told_of_the_payment(world, django_capture_on_commit_callbacks):
    # given a received order
    order = received(delivered(world).orders[world.darto.pk], world)
    mail.outbox.clear()
    # when it is paid
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(order, world)
    told = [m for m in mail.outbox if f"Pesanan {order.number} dibayar" in m.subject]
    assert {r for m in told for r in m.to} == {"darto@contoh.id", "rina@dinkes.uji"}
    assert "Rp1.060.000" in told[0].body and rupiah_format(payment.withheld) in told[0].body


# the amounts are the tax engine's


def test_a_pkp_goods_seller_pays_ppn_collected_and_pph22(world):
    # given Bu Ani (PKP, NPWP) delivered 30 sacks of rice and 10 bottles of oil, 2 sacks rejected
    order = received(delivered(world).orders[world.ani.pk], world, rejected={world.beras.pk: 2})
    # when the treasurer pays
    payment = pay(order, world)
    # then the amounts are the engine's for the accepted goods
    price = 28 * 75000 + 10 * 36000
    quote = tax_quote(
        seller=SellerTaxFacts(pkp=True, has_npwp=True, individual=True),
        lines=[TaxLine(SupplyKind.GOODS, 28 * 75000), TaxLine(SupplyKind.GOODS, 10 * 36000)],
    )
    assert _fields(payment) == _quote_fields(quote)
    # which are: DPP 11/12, PPN 12% of it collected, PPh 22 1.5%
    ppn_base = round_half_up(Fraction(price * 11, 12))
    assert payment.price == price and payment.ppn == round_half_up(Fraction(ppn_base * 12, 100))
    assert payment.ppn_collected and payment.pbjt == 0
    pph22 = round_half_up(Fraction(price * 15, 1000))
    assert payment.net == price + payment.ppn - payment.ppn - pph22
    # and each withheld or collected tax is stored with its object code, PPN as a withholding too
    assert _withholdings(payment) == {
        (TaxKind.PPH22, "22-910-01", price, pph22),
        (TaxKind.PPN, "", ppn_base, payment.ppn),
    }
    assert sum(w.amount for w in payment.withholdings.all()) == payment.withheld


def test_a_small_unsplit_purchase_from_a_pkp_seller_pays_the_full_invoice(world):
    # given 10 bottles of oil (Rp360.000, with PPN Rp399.600: at most Rp2 juta) from Bu Ani
    requisition = approved(world, items=[(world.minyak, 10)])
    order = received(sent(Order.objects.get(checkout_reference=requisition.reference)), world)
    payment = pay(order, world)
    quote = tax_quote(
        seller=SellerTaxFacts(pkp=True, has_npwp=True, individual=True),
        lines=[TaxLine(SupplyKind.GOODS, 360000)],
    )
    assert _fields(payment) == _quote_fields(quote)
    # then the PPN is on the invoice but not collected, no PPh 22, and nothing is stored as withheld
    assert (payment.ppn, payment.ppn_collected, payment.withheld) == (39600, False, 0)
    assert payment.net == payment.gross == 399600
    assert not payment.withholdings.exists()


def test_a_pbjt_caterer_gets_pph23_and_no_ppn(world):
    # given Pak Darto (PBJT-registered caterer, not PKP, no NPWP) delivered 40 lunch boxes
    order = received(delivered(world).orders[world.darto.pk], world)
    payment = pay(order, world)
    quote = tax_quote(
        seller=SellerTaxFacts(pkp=False, has_npwp=False, individual=True, pbjt_registered=True),
        lines=[TaxLine(SupplyKind.CATERING, 40 * 25000)],
    )
    assert _fields(payment) == _quote_fields(quote)
    # PBJT 10% on the invoice and paid to him, PPh 23 at 4% (no NPWP) under the catering code
    assert (payment.ppn, payment.pbjt, payment.gross) == (0, 100000, 1100000)
    assert _withholdings(payment) == {(TaxKind.PPH23, "24-104-39", 1000000, 40000)}
    assert payment.net == 1100000 - 40000


def _own_seller_order(world, *, name, email, price, quantity, **facts):
    """A seller with these tax facts, one goods listing, and its approved order sent and received."""
    shop = seller_create(name=name, email=email)
    for field, value in facts.items():
        setattr(shop, field, value)
    shop.save()
    product = product_create(title=f"Barang {name}", price=Decimal(price), partner=shop)
    requisition = approved(world, items=[(product, quantity)])
    order = sent(Order.objects.get(checkout_reference=requisition.reference))
    return received(order, world)


def test_a_pp55_seller_with_a_valid_certificate_has_the_final_half_percent_withheld(world):
    # given a company with a PP 55 certificate valid on the payment date, Rp5 juta of goods received
    order = _own_seller_order(
        world,
        name="UD Maju Jaya",
        email="maju@contoh.id",
        price="50000",
        quantity=100,
        npwp="0987654321098765",
        taxpayer_type=TaxpayerType.COMPANY,
        pp55_number="KET-PP55-0001",
        pp55_valid_until=_today() + timedelta(days=30),
    )
    # when it is paid, then 0.5% final tax is withheld instead of PPh 22
    payment = pay(order, world)
    quote = tax_quote(
        seller=SellerTaxFacts(pkp=False, has_npwp=True, individual=False, pp55_certificate_valid=True),
        lines=[TaxLine(SupplyKind.GOODS, 5000000)],
    )
    assert _fields(payment) == _quote_fields(quote)
    assert _withholdings(payment) == {(TaxKind.PP55, "28-423-01", 5000000, 25000)}
    assert (payment.gross, payment.net) == (5000000, 4975000)


def test_a_pp55_certificate_expired_on_the_payment_date_gives_pph22(world):
    # given a PP 55 certificate that expired yesterday
    order = _own_seller_order(
        world,
        name="UD Lama",
        email="lama@contoh.id",
        price="50000",
        quantity=100,
        npwp="0987654321098765",
        taxpayer_type=TaxpayerType.COMPANY,
        pp55_number="KET-PP55-0002",
        pp55_valid_until=_today() - timedelta(days=1),
    )
    # when the order is paid, then PPh 22 is withheld as without it
    payment = pay(order, world)
    assert _withholdings(payment) == {(TaxKind.PPH22, "22-910-01", 5000000, 75000)}


def test_an_individual_with_this_years_rp500_juta_statement_has_nothing_withheld(world):
    # given an individual with a valid PP 55 certificate and this year's Rp500 juta statement
    order = _own_seller_order(
        world,
        name="Warung Bu Sri",
        email="sri@contoh.id",
        price="50000",
        quantity=100,
        ktp_number="3578010101800001",
        pp55_number="KET-PP55-0003",
        pp55_valid_until=_today() + timedelta(days=30),
        omzet_statement_year=_today().year,
    )
    # when the order is paid, then nothing is withheld
    payment = pay(order, world)
    quote = tax_quote(
        seller=SellerTaxFacts(
            pkp=False,
            has_npwp=True,
            individual=True,
            pp55_certificate_valid=True,
            pp55_statement_under_500m=True,
        ),
        lines=[TaxLine(SupplyKind.GOODS, 5000000)],
    )
    assert _fields(payment) == _quote_fields(quote)
    assert (payment.withheld, payment.net) == (0, 5000000)
    # reported under the statement's code with nothing withheld
    assert _withholdings(payment) == {(TaxKind.PP55, "28-423-03", 5000000, 0)}


def test_last_years_statement_does_not_count(world):
    # given an individual whose Rp500 juta statement is last year's
    order = _own_seller_order(
        world,
        name="Warung Bu Tini",
        email="tini@contoh.id",
        price="50000",
        quantity=100,
        ktp_number="3578010101800002",
        pp55_number="KET-PP55-0004",
        pp55_valid_until=_today() + timedelta(days=30),
        omzet_statement_year=_today().year - 1,
    )
    # when the order is paid, then the 0.5% final tax is withheld
    payment = pay(order, world)
    assert _withholdings(payment) == {(TaxKind.PP55, "28-423-01", 5000000, 25000)}


# the budget


def test_the_budget_adds_up_after_every_step_and_the_commitment_closes_when_all_is_paid(world):
    line = assert_budget_identities(world.line)
    purchase = delivered(world)
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    ani, darto = purchase.orders[world.ani.pk], purchase.orders[world.darto.pk]
    line = assert_budget_identities(world.line)
    # approval committed the prices and the taxes the sellers put on top (Ani's PPN, Darto's PBJT)
    on_top = sum(
        q.ppn + q.pbjt
        for q in (fulfilment.order_tax_quote(order=o, on=_today(), ordered=True) for o in (ani, darto))
    )
    assert on_top > 0 and line.committed == purchase.requisition.total + on_top
    # a handover with a rejection
    received(ani, world, rejected={world.minyak.pk: 1})
    assert_budget_identities(world.line)
    # the goods seller paid: the line realises the gross, taken from the commitment
    first = pay(ani, world)
    line = assert_budget_identities(world.line)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.LIVE
    assert line.realised == first.gross and line.available == line.ceiling - line.committed - first.gross
    assert line.realised == first.gross
    # the caterer: 38 of 40 came, the rest closed short, then paid
    goods_receipt_record(
        order=darto,
        actor=world.receiver,
        received_on=_today(),
        lines={darto.lines.get().pk: ReceivedLine(38, 38)},
    )
    order_close_short(order=darto, actor=world.ppk, reason="Dua kotak tidak dikirim")
    assert_budget_identities(world.line)
    second = pay(darto, world, bank_reference="TRX-002")
    # then nothing is committed, the commitment is realised by both payments' gross
    line = assert_budget_identities(world.line)
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.REALISED
    assert line.committed == 0 and line.realised == first.gross + second.gross
    assert commitment.realised == first.gross + second.gross


def test_the_commitment_closes_as_realised_when_the_last_unpaid_share_is_released(world):
    # given the goods seller paid while the caterer has sent nothing that arrived
    purchase = delivered(world)
    ani, darto = purchase.orders[world.ani.pk], purchase.orders[world.darto.pk]
    payment = pay(received(ani, world), world)
    # when the caterer's order is closed short with nothing received
    order_close_short(order=darto, actor=world.ppk, reason="Katering batal datang")
    # then the commitment is closed as realised (money was spent), nothing committed
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    assert commitment.status == CommitmentStatus.REALISED
    line = assert_budget_identities(world.line)
    assert (line.committed, line.realised) == (0, payment.gross)
    # and the caterer's order, complete with nothing accepted, has nothing to pay and is not listed
    with pytest.raises(PaymentRefused, match="tidak ada yang dibayar"):
        pay(darto, world)
    assert_budget_identities(world.line)
    assert list(fulfilment.orders_to_pay(user=world.treasurer)) == []


def test_the_treasurer_lists_received_orders_with_something_to_pay(world):
    # given one order received with a rejection and one closed short after all its boxes were rejected
    purchase = delivered(world)
    ani, darto = purchase.orders[world.ani.pk], purchase.orders[world.darto.pk]
    received(ani, world, rejected={world.minyak.pk: 1})
    goods_receipt_record(
        order=darto,
        actor=world.ppk,
        received_on=_today(),
        lines={darto.lines.get().pk: ReceivedLine(10, 0, "Basi")},
    )
    order_close_short(order=darto, actor=world.ppk, reason="Sisa tidak dikirim")
    # when the treasurer looks at what to pay, then only the goods seller's order is there
    assert list(fulfilment.orders_to_pay(user=world.treasurer)) == [ani]
    # and not for the requester, nor once it is paid
    assert list(fulfilment.orders_to_pay(user=world.requester)) == []
    pay(ani, world)
    assert list(fulfilment.orders_to_pay(user=world.treasurer)) == []


def test_one_order_rejected_by_its_seller_and_one_paid_keep_the_identities(world):
    # given an approved requisition; the caterer rejects its order
    requisition = approved(world)
    orders = {o.seller_id: o for o in Order.objects.filter(checkout_reference=requisition.reference)}
    order_status_change(
        order=orders[world.darto.pk],
        actor=world.darto.users.get(),
        party=Party.SELLER,
        status=OrderStatus.REJECTED,
        reason="Dapur sedang renovasi",
    )
    assert_budget_identities(world.line)
    # when the goods seller's order is sent, received and paid
    payment = pay(received(sent(orders[world.ani.pk]), world), world)
    # then the commitment is realised and the line holds exactly the payment's gross
    line = assert_budget_identities(world.line)
    assert (line.committed, line.realised) == (0, payment.gross)
    assert BudgetCommitment.objects.get(requisition=requisition).status == CommitmentStatus.REALISED


def test_payment_is_in_the_audit_trail(world):
    # given a received order
    purchase = delivered(world)
    # when it is paid, then the payment and the realisation are on the requisition's trail
    payment = pay(received(purchase.orders[world.darto.pk], world), world)
    actions = list(
        AuditEntry.objects.filter(
            requisition=purchase.requisition, action__in=["payment.record", "budget.realise"]
        )
        .order_by("seq")
        .values_list("action", "actor", "object_id")
    )
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    assert actions == [
        ("payment.record", world.treasurer.pk, str(payment.pk)),
        ("budget.realise", world.treasurer.pk, str(commitment.pk)),
    ]
    assert audit_verify() is None


def _line_without_room(world):
    """Leave the budget line nothing available beyond what it has committed."""
    BudgetLine.objects.filter(pk=world.line.pk).update(ceiling=F("committed") + F("realised"))


def _delivered_registered_after_approval(world, seller):
    """A delivered purchase of ``seller`` alone, who registered for PPN (Ani) or PBJT (Darto) only
    after its approval: the taxes now invoiced on top were never committed."""
    Partner.objects.filter(pk=world.ani.pk).update(is_pkp=False)
    Partner.objects.filter(pk=world.darto.pk).update(pbjt_number="")
    items = [(world.beras, 30)] if seller == world.ani else [(world.nasi, 40)]
    purchase = delivered(world, items=items)
    Partner.objects.filter(pk=world.ani.pk).update(is_pkp=True)
    Partner.objects.filter(pk=world.darto.pk).update(pbjt_number="PBJT-SBY-0042")
    for order in purchase.orders.values():
        order.seller.refresh_from_db()
    return purchase


def test_the_taxes_on_top_committed_at_approval_are_paid_from_a_line_with_no_room_left(world):
    # given the goods seller (PKP) received and a line with nothing available beyond its commitment
    order = received(delivered(world).orders[world.ani.pk], world)
    _line_without_room(world)
    # when the treasurer pays the invoice with its PPN
    payment = pay(order, world)
    # then it is paid from what approval committed, and the line still adds up
    assert payment.ppn > 0
    line = assert_budget_identities(world.line)
    assert line.realised == payment.gross and line.available == 0


def test_a_sellers_last_order_paid_releases_what_its_commitment_still_holds(world):
    # given the caterer's order rejected in part at receipt: its PBJT share stays committed
    purchase = delivered(world)
    ani, darto = purchase.orders[world.ani.pk], purchase.orders[world.darto.pk]
    pay(received(ani, world), world)
    received(darto, world, rejected={world.nasi.pk: 4})
    # when the last order is paid
    pay(darto, world)
    # then nothing stays committed: the remainder was released, and it is in the trail
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    assert commitment.status == CommitmentStatus.REALISED
    assert assert_budget_identities(world.line).committed == 0
    assert AuditEntry.objects.filter(action="budget.release.remainder").count() == 1


def test_taxes_on_top_the_line_cannot_cover_are_refused_and_nothing_is_paid(world):
    # given the goods seller registered for PPN after approval, received, and a line with no room left
    order = received(_delivered_registered_after_approval(world, world.ani).orders[world.ani.pk], world)
    _line_without_room(world)
    # when the treasurer pays (the PPN comes on top of what was committed)
    with pytest.raises(BudgetExceeded, match="di atas yang diikat"):
        pay(order, world)
    # then no payment is recorded and the line is as it was
    assert not OfficialPayment.objects.exists()
    assert assert_budget_identities(world.line).realised == 0


def test_a_kkpd_payment_the_line_cannot_cover_is_refused_before_the_card_is_charged(world, localstripe):
    # PBJT on top of the price, registered after approval
    order = received(_delivered_registered_after_approval(world, world.darto).orders[world.darto.pk], world)
    _line_without_room(world)
    # when a card payment is started, then it is refused before Stripe is asked
    with pytest.raises(BudgetExceeded):
        official_payment_card_start(order=order, actor=world.treasurer)
    assert not OfficialPayment.objects.exists()
    assert not Payment.objects.exists()  # Stripe was never asked


def test_a_kkpd_payment_above_the_cards_limit_per_payee_is_refused(world, localstripe, settings):
    # given a received order and a card limit just below its invoice
    order = received(delivered(world).orders[world.darto.pk], world)
    settings.PEKEN_KKPD_MAX_PER_PAYEE = 1_000
    # when a card payment is started, then it is refused with the other ways to pay named
    with pytest.raises(PaymentRefused, match="UP/GU atau LS"):
        official_payment_card_start(order=order, actor=world.treasurer)
    assert not Payment.objects.exists()


# KKPD card through localstripe


def test_a_kkpd_card_payment_settles_when_confirmed(world, localstripe):
    order = received(delivered(world).orders[world.darto.pk], world)
    # when the treasurer starts a card payment
    started = official_payment_card_start(order=order, actor=world.treasurer)
    # then it waits for the card, for the net in hundredths of a rupiah, and nothing is realised yet
    assert started.status == OfficialPaymentStatus.PENDING and started.method == PaymentMethod.KKPD
    assert started.intent.amount == int(started.net) * 100
    assert assert_budget_identities(world.line).realised == 0
    # and starting again returns the same payment and intent
    again = official_payment_card_start(order=order, actor=world.treasurer)
    assert (again.pk, again.intent.id) == (started.pk, started.intent.id)
    # when the card is confirmed (Stripe.js) and the page asks Peken to confirm
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    paid = official_payment_card_confirm(payment=started, actor=world.treasurer)
    # then it is paid once and realised by the gross
    assert paid.status == OfficialPaymentStatus.PAID
    assert Payment.objects.get(pk=paid.card_payment_id).status == PaymentStatus.SUCCEEDED
    line = assert_budget_identities(world.line)
    assert line.realised == paid.gross
    # confirming again changes nothing
    official_payment_card_confirm(payment=paid, actor=world.treasurer)
    assert assert_budget_identities(world.line).realised == paid.gross
    assert AuditEntry.objects.filter(action="payment.record").count() == 1


def test_confirming_before_the_card_went_through_is_refused(world, localstripe):
    # given a card payment started, the card not yet confirmed
    order = received(delivered(world).orders[world.darto.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    # when the treasurer confirms, then it is refused and still waits
    with pytest.raises(PaymentRefused, match="belum berhasil"):
        official_payment_card_confirm(payment=started, actor=world.treasurer)
    assert OfficialPayment.objects.get().status == OfficialPaymentStatus.PENDING


def test_the_webhook_settles_a_kkpd_payment_once_even_if_confirm_also_runs(world, localstripe):
    order = received(delivered(world).orders[world.ani.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    # when Stripe's webhook reports the intent succeeded
    event = intent_event(
        "evt_kkpd_1",
        "payment_intent.succeeded",
        intent_id=started.intent.id,
        amount_minor=int(started.net) * 100,
    )
    assert payments.stripe_event_handle(event=event) is True
    # then the payment is settled
    started.refresh_from_db()
    assert started.status == OfficialPaymentStatus.PAID
    # and the treasurer's confirmation and the same event again settle nothing more
    official_payment_card_confirm(payment=started, actor=world.treasurer)
    assert payments.stripe_event_handle(event=event) is False
    line = assert_budget_identities(world.line)
    assert line.realised == started.gross
    assert AuditEntry.objects.filter(action="payment.record").count() == 1
    assert AuditEntry.objects.filter(action="budget.realise").count() == 1


def test_a_card_paid_when_the_line_no_longer_has_room_waits_and_settles_once_it_has(world, localstripe):
    # given a KKPD payment started (PBJT registered after approval), then the line's room taken away
    order = received(_delivered_registered_after_approval(world, world.darto).orders[world.darto.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    ceiling = BudgetLine.objects.get(pk=world.line.pk).ceiling
    _line_without_room(world)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    # when Stripe's webhook reports the card paid
    event = intent_event(
        "evt_kkpd_room",
        "payment_intent.succeeded",
        intent_id=started.intent.id,
        amount_minor=int(started.net) * 100,
    )
    # then the event is handled (not refused for Stripe to resend), the card is recorded paid
    assert payments.stripe_event_handle(event=event) is True
    assert Payment.objects.get(pk=started.card_payment_id).status == PaymentStatus.SUCCEEDED
    # and the official payment waits; the treasurer's confirmation says why
    started.refresh_from_db()
    assert started.status == OfficialPaymentStatus.PENDING
    with pytest.raises(BudgetExceeded):
        official_payment_card_confirm(payment=started, actor=world.treasurer)
    assert assert_budget_identities(world.line).realised == 0
    # when the line has room again, the confirmation settles it
    BudgetLine.objects.filter(pk=world.line.pk).update(ceiling=ceiling)
    paid = official_payment_card_confirm(payment=started, actor=world.treasurer)
    assert paid.status == OfficialPaymentStatus.PAID
    assert assert_budget_identities(world.line).realised == paid.gross


def test_a_cancelled_card_payment_lets_the_order_be_paid_by_transfer(world, localstripe):
    order = received(delivered(world).orders[world.darto.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    # while it waits, a transfer is refused with what to do
    with pytest.raises(PaymentAlreadyRecorded, match="sedang dibayar dengan KKPD oleh Fitri Uji"):
        pay(order, world)
    # the requester cannot cancel it
    Membership.objects.create(user=world.requester, agency=world.agency, role=Role.TREASURER)
    with pytest.raises(PaymentRefused, match="pemohon"):
        official_payment_card_cancel(payment=started, actor=world.requester)
    # when the treasurer cancels it
    cancelled = official_payment_card_cancel(payment=started, actor=world.treasurer)
    assert cancelled.status == OfficialPaymentStatus.CANCELLED
    # then the order can be paid by transfer, once
    payment = pay(order, world)
    assert payment.status == OfficialPaymentStatus.PAID
    assert assert_budget_identities(world.line).realised == payment.gross
    # and the cancelled one cannot be confirmed or cancelled again
    with pytest.raises(PaymentRefused):
        official_payment_card_cancel(payment=cancelled, actor=world.treasurer)


def test_a_card_already_charged_cannot_be_cancelled(world, localstripe):
    # given a card payment whose card was charged
    order = received(delivered(world).orders[world.darto.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    # Stripe's webhook is late, but the card was charged: Peken asks Stripe before cancelling
    # when the treasurer cancels it, then it is refused
    with pytest.raises(PaymentRefused, match="sudah ditagih"):
        official_payment_card_cancel(payment=started, actor=world.treasurer)
    # and the payment is settled instead, so the order cannot be paid a second time
    started.refresh_from_db()
    assert started.status == OfficialPaymentStatus.PAID
    with pytest.raises(PaymentAlreadyRecorded):
        pay(order, world)
    assert assert_budget_identities(world.line).realised == started.gross


def test_a_card_charged_after_its_payment_was_cancelled_is_refunded(
    world, localstripe, django_capture_on_commit_callbacks
):
    # given a card payment cancelled, and the order paid by transfer
    order = received(delivered(world).orders[world.darto.pk], world)
    started = official_payment_card_start(order=order, actor=world.treasurer)
    official_payment_card_cancel(payment=started, actor=world.treasurer)
    by_transfer = pay(order, world)
    # when the old card form is still confirmed and Stripe reports it (twice)
    assert localstripe.card_confirm(started.intent.client_secret, OK_CARD)[0] == 200
    for event_id in ("evt_late_1", "evt_late_2"):
        event = intent_event(
            event_id,
            "payment_intent.succeeded",
            intent_id=started.intent.id,
            amount_minor=int(started.net) * 100,
        )
        with django_capture_on_commit_callbacks(execute=True):
            payments.stripe_event_handle(event=event)
    # then the cancelled payment stays cancelled, the card is refunded once, the budget realised once
    started.refresh_from_db()
    assert started.status == OfficialPaymentStatus.CANCELLED
    card = Payment.objects.get(pk=started.card_payment_id)
    assert card.refunds.count() == 1 and card.amount_refunded == card.amount
    assert AuditEntry.objects.filter(action="payment.card_refund").count() == 1
    assert assert_budget_identities(world.line).realised == by_transfer.gross


# tax deposits


def _paid_pair(world, *, paid_on=None):
    """Both orders paid on ``paid_on``: the goods seller's (PPN, PPh 22) and the caterer's (PPh 23)."""
    purchase = delivered(world)
    paid_on = paid_on or _today()
    return [
        pay(
            received(purchase.orders[seller.pk], world, on=paid_on),
            world,
            paid_on=paid_on,
            bank_reference=f"TRX-{seller.pk}",
        )
        for seller in (world.ani, world.darto)
    ]


def _deposit(world, ids, *, tax=TaxKind.PPH22, ntpn=NTPN, billing=BILLING, actor=None, on=None, day=None):
    on = on or _today()
    return tax_deposit_record(
        agency=world.agency,
        actor=actor or world.treasurer,
        tax=tax,
        period_year=on.year,
        period_month=on.month,
        billing_code=billing,
        ntpn=ntpn,
        deposited_on=day or _today(),
        withholding_ids=ids,
    )


def test_a_deposit_records_billing_code_and_ntpn_and_marks_its_withholdings(world):
    # given both orders paid this month
    ani, _darto = _paid_pair(world)
    pph22 = ani.withholdings.get(tax=TaxKind.PPH22)
    # when the PPh 22 is deposited, then the deposit holds its billing code, NTPN and amount
    deposit = _deposit(world, [pph22.pk], ntpn=NTPN.lower())
    assert (deposit.billing_code, deposit.ntpn, deposit.amount) == (BILLING, NTPN, pph22.amount)
    pph22.refresh_from_db()
    assert pph22.deposit == deposit
    # the PPN collected is deposited on its own
    ppn = ani.withholdings.get(tax=TaxKind.PPN)
    other = _deposit(world, [ppn.pk], tax=TaxKind.PPN, ntpn="B1B2C3D4E5F6G7H8")
    assert other.amount == ani.ppn
    assert TaxWithholding.objects.filter(deposit__isnull=True).count() == 1  # the caterer's PPh 23
    entry = AuditEntry.objects.get(action="tax.deposit", object_id=str(deposit.pk))
    assert (entry.actor, entry.after["ntpn"]) == (world.treasurer, NTPN)


@pytest.mark.parametrize(
    ("billing", "ntpn", "message"),
    [
        ("12345678901234", NTPN, "15 angka"),
        ("1234567890123456", NTPN, "15 angka"),
        ("12345678901234X", NTPN, "15 angka"),
        (BILLING, "A1B2C3D4E5F6G7H", "16 huruf"),
        (BILLING, "A1B2C3D4E5F6G7H89", "16 huruf"),
        (BILLING, "A1B2C3D4E5F6G7H-", "16 huruf"),
    ],
)
def test_wrong_billing_code_or_ntpn_lengths_are_refused(world, billing, ntpn, message):
    # given a paid order's PPh 22
    ani, _darto = _paid_pair(world)
    # when it is deposited with a malformed billing code or NTPN, then it is refused
    with pytest.raises(PaymentRefused, match=message):
        _deposit(world, [ani.withholdings.get(tax=TaxKind.PPH22).pk], billing=billing, ntpn=ntpn)
    assert not TaxDeposit.objects.exists()


def test_the_same_ntpn_twice_is_refused(world):
    # given a deposit recorded with an NTPN
    ani, darto = _paid_pair(world)
    _deposit(world, [ani.withholdings.get(tax=TaxKind.PPH22).pk])
    # when another deposit gives the same NTPN, then it is refused
    with pytest.raises(PaymentRefused, match="sudah tercatat"):
        _deposit(world, [darto.withholdings.get().pk], tax=TaxKind.PPH23)
    assert darto.withholdings.get().deposit is None


def test_withholdings_already_deposited_of_another_kind_or_month_are_refused(world):
    # given both orders paid this month and the PPh 22 deposited
    ani, darto = _paid_pair(world)
    pph22 = ani.withholdings.get(tax=TaxKind.PPH22)
    _deposit(world, [pph22.pk])
    # already deposited
    with pytest.raises(PaymentRefused, match="sudah disetor"):
        _deposit(world, [pph22.pk], ntpn="C1B2C3D4E5F6G7H8")
    # of another kind than the deposit's
    with pytest.raises(PaymentRefused, match="sudah disetor"):
        _deposit(world, [darto.withholdings.get().pk], ntpn="C1B2C3D4E5F6G7H8", tax=TaxKind.PPH22)
    # of another month
    with pytest.raises(PaymentRefused, match="sudah disetor"):
        _deposit(
            world,
            [darto.withholdings.get().pk],
            ntpn="C1B2C3D4E5F6G7H8",
            tax=TaxKind.PPH23,
            on=_today() - timedelta(days=40),
        )
    assert TaxDeposit.objects.count() == 1


def test_last_months_payment_is_deposited_in_last_months_period_only(world):
    # given both orders received and paid 40 days ago
    last_month = _today() - timedelta(days=40)
    ani, _darto = _paid_pair(world, paid_on=last_month)
    pph22 = ani.withholdings.get(tax=TaxKind.PPH22)
    # when their PPh 22 is deposited in this month's period, then it is refused
    with pytest.raises(PaymentRefused, match="masa"):
        _deposit(world, [pph22.pk])
    deposit = _deposit(world, [pph22.pk], on=last_month)
    assert (deposit.period_year, deposit.period_month) == (last_month.year, last_month.month)


def test_only_the_agencys_treasurer_records_a_deposit(world):
    # given a paid order's PPh 22
    ani, _darto = _paid_pair(world)
    # when the PPK deposits it, then it is refused
    with pytest.raises(PaymentRefused, match="bendahara"):
        _deposit(world, [ani.withholdings.get(tax=TaxKind.PPH22).pk], actor=world.ppk)
    assert not TaxDeposit.objects.exists()


def test_a_deposit_dated_in_the_future_is_refused(world):
    # given a paid order's PPh 22
    ani, _darto = _paid_pair(world)
    # when its deposit is dated tomorrow, then it is refused
    with pytest.raises(PaymentRefused, match="masa depan"):
        _deposit(world, [ani.withholdings.get(tax=TaxKind.PPH22).pk], day=_today() + timedelta(days=1))
    assert not TaxDeposit.objects.exists()
