"""Receipt (BAST) of official orders: partial handovers, rejections released, short closure, who records."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from orders.services import order_status_change, orders_auto_confirm
from orders.statuses import OrderStatus, Party
from procurement import selectors_fulfilment as fulfilment
from procurement.audit import audit_verify
from procurement.models import (
    AuditEntry,
    BudgetCommitment,
    BudgetLine,
    GoodsReceipt,
    Membership,
    OrderShortClosure,
)
from procurement.services import (
    ReceiptRefused,
    ReceivedLine,
    goods_receipt_record,
    official_payment_record,
    order_close_short,
)
from procurement.statuses import CommitmentStatus, PaymentMethod, Role
from tests.budget_identities import assert_budget_identities
from tests.factories import order_create
from tests.fulfilment_world import approved, delivered, fulfilment_world
from tests.procurement_factories import AgencyFactory, person_with_roles

Order = get_model("order", "Order")


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return fulfilment_world()


def _line(order, product):
    return order.lines.get(product=product)


def test_two_handovers_with_a_rejection_then_payment_realises_the_gross(world):
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = _line(order, world.beras), _line(order, world.minyak)
    today = timezone.localdate()
    first = goods_receipt_record(
        order=order,
        actor=world.ppk,
        received_on=today - timedelta(days=1),
        lines={beras.pk: ReceivedLine(received=20, accepted=18, reason="Karung sobek")},
    )
    assert first.seq == 1
    line = BudgetLine.objects.get(pk=world.line.pk)
    held = BudgetCommitment.objects.get(requisition=purchase.requisition).amount + 2 * Decimal("75000")
    assert line.committed == held - 2 * Decimal("75000")
    second = goods_receipt_record(
        order=order,
        actor=world.receiver,
        received_on=today,
        lines={
            beras.pk: ReceivedLine(received=10, accepted=10),
            minyak.pk: ReceivedLine(received=10, accepted=10),
        },
    )
    assert second.seq == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    payment = official_payment_record(
        order=order,
        actor=world.treasurer,
        method=PaymentMethod.UP_TRANSFER,
        paid_on=today,
        bank_reference="TRX1",
    )
    accepted = 28 * Decimal("75000") + 10 * Decimal("36000")
    assert payment.price == accepted
    assert payment.ppn > 0 and payment.gross == payment.price + payment.ppn
    assert payment.gross == payment.net + payment.withheld
    line.refresh_from_db()
    assert line.realised == payment.gross
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    assert commitment.status == CommitmentStatus.LIVE  # the caterer is not paid yet
    assert line.committed == commitment.amount
    assert GoodsReceipt.objects.filter(order=order).count() == 2


def test_the_requester_cannot_record_receipt_and_is_told_who_can(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    with pytest.raises(ReceiptRefused, match="Citra Uji"):
        goods_receipt_record(
            order=order,
            actor=world.requester,
            received_on=timezone.localdate(),
            lines={_line(order, world.nasi).pk: ReceivedLine(received=40, accepted=40)},
        )


def test_closing_short_releases_what_never_came(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = _line(order, world.nasi)
    goods_receipt_record(
        order=order, actor=world.ppk, received_on=timezone.localdate(), lines={nasi.pk: ReceivedLine(30, 30)}
    )
    before = BudgetLine.objects.get(pk=world.line.pk).committed
    closure = order_close_short(order=order, actor=world.ppk, reason="Sisa 10 kotak tidak dikirim")
    assert closure.amount_released == 10 * Decimal("25000")
    assert BudgetLine.objects.get(pk=world.line.pk).committed == before - closure.amount_released
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


# the rules of one handover


def _today():
    return timezone.localdate()


def _record(order, actor, lines, **kwargs):
    return goods_receipt_record(order=order, actor=actor, received_on=_today(), lines=lines, **kwargs)


def _committed(world):
    return BudgetLine.objects.get(pk=world.line.pk).committed


def test_receiving_more_than_is_still_awaited_is_refused(world):
    # given a caterer's order of 40 boxes of which 30 already came
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    nasi = _line(order, world.nasi)
    _record(order, world.ppk, {nasi.pk: ReceivedLine(30, 30)})
    # when 11 more are recorded, then it is refused naming what is left, and nothing is written
    with pytest.raises(ReceiptRefused, match="tinggal 10"):
        _record(order, world.receiver, {nasi.pk: ReceivedLine(11, 11)})
    assert GoodsReceipt.objects.filter(order=order).count() == 1
    # and at first, more than ordered is refused the same way
    other = purchase.orders[world.ani.pk]
    with pytest.raises(ReceiptRefused, match="tinggal 30"):
        _record(other, world.ppk, {_line(other, world.beras).pk: ReceivedLine(31, 31)})


def test_accepting_more_than_arrived_is_refused(world):
    # given a sent order of 40 lunch boxes
    order = delivered(world).orders[world.darto.pk]
    # when 11 are accepted of 10 that came, then it is refused
    with pytest.raises(ReceiptRefused, match="melebihi"):
        _record(order, world.ppk, {_line(order, world.nasi).pk: ReceivedLine(10, 11)})
    assert not GoodsReceipt.objects.exists()


def test_a_rejection_needs_a_reason(world):
    # given a sent order of 40 lunch boxes
    order = delivered(world).orders[world.darto.pk]
    nasi = _line(order, world.nasi)
    # when 2 of 10 are rejected with a blank reason, then it is refused and nothing is released
    with pytest.raises(ReceiptRefused, match="alasan 2 ditolak"):
        _record(order, world.ppk, {nasi.pk: ReceivedLine(10, 8, reason="   ")})
    assert not GoodsReceipt.objects.exists()
    assert _committed(world) == delivered_total(world)


def delivered_total(world):
    """What the world's one requisition committed: its prices and the PPN and PBJT on top."""
    requisition = BudgetCommitment.objects.get().requisition
    on_top = sum(
        q.ppn + q.pbjt
        for q in (
            fulfilment.order_tax_quote(order=o, on=timezone.localdate(), ordered=True)
            for o in Order.objects.filter(checkout_reference=requisition.reference)
        )
    )
    return requisition.total + on_top


def test_a_line_of_another_order_is_refused(world):
    # given two sent orders of one requisition
    purchase = delivered(world)
    ani, darto = purchase.orders[world.ani.pk], purchase.orders[world.darto.pk]
    # when the caterer's handover names a line of the goods seller's order, then it is refused
    with pytest.raises(ReceiptRefused, match="bukan milik pesanan"):
        _record(darto, world.ppk, {_line(ani, world.beras).pk: ReceivedLine(5, 5)})
    assert not GoodsReceipt.objects.exists()


def test_a_handover_dated_in_the_future_is_refused(world):
    # given a sent order
    order = delivered(world).orders[world.darto.pk]
    # when its handover is dated tomorrow, then it is refused
    with pytest.raises(ReceiptRefused, match="masa depan"):
        goods_receipt_record(
            order=order,
            actor=world.ppk,
            received_on=_today() + timedelta(days=1),
            lines={_line(order, world.nasi).pk: ReceivedLine(40, 40)},
        )
    assert not GoodsReceipt.objects.exists()


def test_nothing_counted_is_refused(world):
    # given a sent order
    order = delivered(world).orders[world.darto.pk]
    # when a handover counts nothing, then it is refused
    with pytest.raises(ReceiptRefused, match="sedikitnya satu"):
        _record(order, world.ppk, {_line(order, world.nasi).pk: ReceivedLine(0, 0)})


def test_receiving_before_the_seller_sent_is_refused(world):
    # given an approved order the seller accepted but has not sent
    requisition = approved(world)
    order = Order.objects.get(checkout_reference=requisition.reference, seller=world.darto)
    order_status_change(
        order=order, actor=world.darto.users.get(), party=Party.SELLER, status=OrderStatus.ACCEPTED
    )
    # when the PPK records it, then it is refused, and closing it short too
    with pytest.raises(ReceiptRefused, match="setelah penjual mengirim"):
        _record(order, world.ppk, {_line(order, world.nasi).pk: ReceivedLine(40, 40)})
    with pytest.raises(ReceiptRefused, match="tidak bisa ditutup"):
        order_close_short(order=order, actor=world.ppk, reason="Tidak datang")
    assert not GoodsReceipt.objects.exists()


def test_a_personal_order_is_refused(world):
    # given a civil servant's own order, sent, even carrying a requisition's reference
    requisition = approved(world)
    record = world.beras.stockrecords.get()
    order = order_create(user=world.ppk, lines=[(record, 2)], number="P-000001", status=OrderStatus.SENT)
    Order.objects.filter(pk=order.pk).update(checkout_reference=requisition.reference)
    # when it is recorded as a handover, then it is refused as not official
    with pytest.raises(ReceiptRefused, match="bukan pesanan resmi"):
        _record(order, world.ppk, {order.lines.get().pk: ReceivedLine(2, 2)})
    with pytest.raises(ReceiptRefused, match="bukan pesanan resmi"):
        order_close_short(order=order, actor=world.ppk, reason="Kurang")
    assert not GoodsReceipt.objects.exists()


def test_two_partial_receipts_are_numbered_one_and_two_and_only_the_last_completes(world):
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras, minyak = _line(order, world.beras), _line(order, world.minyak)
    # when half of everything comes
    first = _record(order, world.receiver, {beras.pk: ReceivedLine(15, 15), minyak.pk: ReceivedLine(5, 5)})
    # then it is BAST 1 and the order still waits
    order.refresh_from_db()
    assert (first.seq, order.status) == (1, OrderStatus.SENT)
    assert not fulfilment.order_receipt_complete(fulfilment.order_progress(order=order))
    # when the rest comes, then it is BAST 2 and the order is Selesai
    second = _record(order, world.ppk, {beras.pk: ReceivedLine(15, 15), minyak.pk: ReceivedLine(5, 5)})
    order.refresh_from_db()
    assert (second.seq, order.status) == (2, OrderStatus.RECEIVED)
    assert [p.accepted for p in fulfilment.order_progress(order=order)] == [30, 10]
    # and nothing more can be received
    with pytest.raises(ReceiptRefused):
        _record(order, world.ppk, {beras.pk: ReceivedLine(1, 1)})


def test_a_rejected_quantity_releases_exactly_its_value(world):
    # given a delivered purchase, its line and its commitment
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    commitment = BudgetCommitment.objects.get(requisition=purchase.requisition)
    line_before, held_before = _committed(world), commitment.amount
    # when 3 of 10 bottles of oil (Rp36.000 each) and 2 of 20 sacks of rice (Rp75.000) are rejected
    _record(
        order,
        world.ppk,
        {
            _line(order, world.minyak).pk: ReceivedLine(10, 7, reason="Botol bocor"),
            _line(order, world.beras).pk: ReceivedLine(20, 18, reason="Karung basah"),
        },
    )
    # then the line's committed and the commitment fall by exactly 3 x 36.000 + 2 x 75.000
    released = 3 * Decimal("36000") + 2 * Decimal("75000")
    commitment.refresh_from_db()
    assert _committed(world) == line_before - released
    assert commitment.amount == held_before - released
    assert commitment.status == CommitmentStatus.LIVE
    assert_budget_identities(world.line)


def test_closing_short_needs_a_reason_something_awaited_and_happens_once(world):
    # given 25 of the caterer's 40 boxes recorded
    purchase = delivered(world)
    darto, ani = purchase.orders[world.darto.pk], purchase.orders[world.ani.pk]
    _record(darto, world.ppk, {_line(darto, world.nasi).pk: ReceivedLine(25, 25)})
    # without a reason it is refused
    with pytest.raises(ReceiptRefused, match="alasan"):
        order_close_short(order=darto, actor=world.ppk, reason="  ")
    # once closed, a second closure is refused and releases nothing more
    order_close_short(order=darto, actor=world.receiver, reason="Sisa tidak dikirim")
    committed = _committed(world)
    with pytest.raises(ReceiptRefused, match="sudah ditutup"):
        order_close_short(order=darto, actor=world.ppk, reason="Lagi")
    assert _committed(world) == committed
    # an order received in full has nothing awaited: closing it is refused
    _record(ani, world.ppk, {_line(ani, world.beras).pk: ReceivedLine(30, 30)})
    _record(ani, world.ppk, {_line(ani, world.minyak).pk: ReceivedLine(10, 10)})
    with pytest.raises(ReceiptRefused):
        order_close_short(order=ani, actor=world.ppk, reason="Kurang")
    assert OrderShortClosure.objects.count() == 1
    assert_budget_identities(world.line)


def test_closing_short_releases_what_never_came_and_not_what_was_rejected(world):
    # given 20 of 30 sacks came, 2 of them rejected (already released), and no oil
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    _record(order, world.ppk, {_line(order, world.beras).pk: ReceivedLine(20, 18, reason="Basah")})
    before = _committed(world)
    # when the order is closed short
    closure = order_close_short(order=order, actor=world.ppk, reason="Toko kehabisan stok")
    # then 10 sacks and 10 bottles are released, the order is Selesai
    missing = 10 * Decimal("75000") + 10 * Decimal("36000")
    assert closure.amount_released == missing
    assert _committed(world) == before - missing
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert fulfilment.order_receipt_complete(fulfilment.order_progress(order=order))
    assert_budget_identities(world.line)


def test_the_receiver_and_the_ppk_may_record_the_requester_may_not_even_as_ppk(world):
    # given the requester also holds the PPK role
    Membership.objects.create(user=world.requester, agency=world.agency, role=Role.COMMITMENT_OFFICIAL)
    purchase = delivered(world)
    order = purchase.orders[world.ani.pk]
    beras = _line(order, world.beras)
    # when the requester records the handover, then it is refused, naming the PPKs and the receiver
    with pytest.raises(ReceiptRefused, match="pemohon") as refused:
        _record(order, world.requester, {beras.pk: ReceivedLine(1, 1)})
    assert "Citra Uji" in str(refused.value) and "Gilang Uji" in str(refused.value)
    assert "Rina Uji" not in str(refused.value)  # she holds the role but may not act here
    with pytest.raises(ReceiptRefused, match="pemohon"):
        order_close_short(order=order, actor=world.requester, reason="Kurang")
    # and someone without the role (the treasurer) is told who can
    with pytest.raises(ReceiptRefused, match="Citra Uji, .*Gilang Uji"):
        _record(order, world.treasurer, {beras.pk: ReceivedLine(1, 1)})
    assert not GoodsReceipt.objects.exists()
    # while the receiver and the PPK may, each recorded with their role
    by_receiver = _record(order, world.receiver, {beras.pk: ReceivedLine(1, 1)})
    by_ppk = _record(order, world.ppk, {beras.pk: ReceivedLine(1, 1)})
    assert (by_receiver.role, by_ppk.role) == (Role.RECEIVER, Role.COMMITMENT_OFFICIAL)
    assert (by_receiver.received_by, by_ppk.received_by) == (world.receiver, world.ppk)


def test_a_receiver_of_another_agency_may_not_record(world):
    # given a receiver of another agency and a sent order
    other = AgencyFactory(name="Dinas Pendidikan Uji", code="dispendik-uji")
    outsider = person_with_roles(agency=other, roles=[Role.RECEIVER], email="hana@dispendik.uji")
    order = delivered(world).orders[world.darto.pk]
    # when they record its handover, then it is refused naming the order's agency
    with pytest.raises(ReceiptRefused, match="Dinas Kesehatan Uji"):
        _record(order, outsider, {_line(order, world.nasi).pk: ReceivedLine(1, 1)})


def test_every_step_is_in_the_audit_trail(world):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    # when a handover with a rejection, then a short closure are recorded
    receipt = _record(order, world.ppk, {_line(order, world.nasi).pk: ReceivedLine(30, 28, reason="Basi")})
    closure = order_close_short(order=order, actor=world.receiver, reason="Sisa tidak datang")
    # then each left its entry, on the requisition's trail, by who acted
    entries = {
        e.action: e
        for e in AuditEntry.objects.filter(requisition=purchase.requisition, action__startswith="receipt.")
        | AuditEntry.objects.filter(requisition=purchase.requisition, action__startswith="budget.release.")
    }
    assert set(entries) == {
        "receipt.record",
        "budget.release.rejected",
        "receipt.close_short",
        "budget.release.short",
    }
    assert entries["receipt.record"].object_id == str(receipt.pk)
    assert entries["receipt.record"].actor == world.ppk
    assert Decimal(entries["receipt.record"].after["rejected_value"]) == 2 * 25000
    assert Decimal(entries["budget.release.rejected"].after["released"]) == 2 * 25000
    assert entries["receipt.close_short"].object_id == str(closure.pk)
    assert entries["receipt.close_short"].actor == world.receiver
    assert Decimal(entries["budget.release.short"].after["released"]) == 10 * 25000
    assert audit_verify() is None


def test_the_seller_and_the_requester_are_told_at_each_step(world, django_capture_on_commit_callbacks):
    purchase = delivered(world)
    order = purchase.orders[world.darto.pk]
    mail.outbox.clear()
    # when a first handover is recorded
    with django_capture_on_commit_callbacks(execute=True):
        _record(order, world.ppk, {_line(order, world.nasi).pk: ReceivedLine(30, 30)})
    # then the seller and the requester hear of BAST 1
    assert _recipients(f"BAST {order.number} ke-1") == {"darto@contoh.id", "rina@dinkes.uji"}
    # when the rest is closed short, then they (and the treasurer, who pays next) hear of it
    with django_capture_on_commit_callbacks(execute=True):
        order_close_short(order=order, actor=world.ppk, reason="Sisa tidak datang")
    told = _recipients(f"Pesanan {order.number} ditutup")
    assert told == {"darto@contoh.id", "rina@dinkes.uji", "fitri@dinkes.uji"}
    body = next(m.body for m in mail.outbox if "ditutup" in m.subject)
    assert "Sisa tidak datang" in body


def test_the_last_handover_tells_them_the_order_is_complete(world, django_capture_on_commit_callbacks):
    # given a sent order
    order = delivered(world).orders[world.darto.pk]
    mail.outbox.clear()
    # when its one handover takes everything (2 rejected)
    with django_capture_on_commit_callbacks(execute=True):
        _record(order, world.receiver, {_line(order, world.nasi).pk: ReceivedLine(40, 38, reason="Tumpah")})
    told = _recipients(f"Pesanan {order.number} selesai diterima")
    assert {"darto@contoh.id", "rina@dinkes.uji", "fitri@dinkes.uji"} <= told
    body = next(m.body for m in mail.outbox if "selesai" in m.subject)
    assert "Tumpah" in body


def _recipients(subject_part: str) -> set[str]:
    return {r for m in mail.outbox if subject_part in m.subject for r in m.to}


def test_the_clock_never_completes_an_official_order(world):
    # given an official order sent long ago and a personal order sent as long ago
    purchase = delivered(world)
    official = purchase.orders[world.darto.pk]
    record = world.beras.stockrecords.get()
    personal = order_create(user=world.ppk, lines=[(record, 1)], number="P-000002", status=OrderStatus.SENT)
    Order.objects.filter(pk__in=[official.pk, personal.pk]).update(
        date_status_changed=timezone.now() - timedelta(days=60)
    )
    # when the hourly auto-confirmation runs
    confirmed = orders_auto_confirm()
    # then only the personal order is Selesai; the official one waits for its BAST
    official.refresh_from_db()
    personal.refresh_from_db()
    assert confirmed == 1
    assert (official.status, personal.status) == (OrderStatus.SENT, OrderStatus.RECEIVED)
