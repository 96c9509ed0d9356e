"""The requester hears of every decision on their requisition, with who made it and why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from buyers.models import BuyerProfile
from procurement.services import requisition_decide, requisition_submit_from_basket
from procurement.statuses import Decision
from tests.factories import product_create, seller_create
from tests.procurement_factories import approval_world, official_basket


@pytest.fixture
def world(db, indonesia, settings):
    settings.PEKEN_OFFICIAL_SELLER_CAP = 10**12
    return approval_world()


def _submit(world, price):
    shop = seller_create(name="Warung Bu Ani", email="ani@contoh.id")
    basket = official_basket(
        user=world.requester, items=[(product_create(price=Decimal(price), partner=shop, stock=5), 1)]
    )
    return requisition_submit_from_basket(
        user=world.requester,
        agency=world.agency,
        basket=basket,
        budget_line=world.line,
        kode_rup="",
        purpose="Rapat koordinasi",
        delivery_address="Jl. Jemursari 197",
        needed_by=timezone.localdate() + timedelta(days=7),
    )


def _requester_mail(world):
    return [m for m in mail.outbox if m.to == [world.requester.email]]


def test_the_requester_hears_a_step_approved_and_where_it_waits(world, django_capture_on_commit_callbacks):
    # given a Rp250 juta requisition needing the PP and then the PPK
    with django_capture_on_commit_callbacks(execute=True):
        requisition = _submit(world, "250000000")
    mail.outbox.clear()

    # when the PP approves with a comment
    with django_capture_on_commit_callbacks(execute=True):
        requisition_decide(
            requisition=requisition, user=world.pp, decision=Decision.APPROVE, comment="Harga wajar"
        )

    # then the requester is told who approved, their comment, and that the PPK is next
    (message,) = _requester_mail(world)
    assert "Budi Uji" in message.body and "Harga wajar" in message.body
    assert "Disetujui oleh Budi Uji" in message.body and "Setujui oleh" not in message.body
    assert "Kini menunggu PPK" in message.body
    # and the comment, which has no full stop of its own, stands on its line
    assert "\nCatatan: Harga wajar\nKini menunggu PPK." in message.body
    # and the PPK is asked to act
    assert any(m.to == [world.ppk.email] for m in mail.outbox)


def test_a_rejection_reaches_the_requester_with_its_reason(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        requisition = _submit(world, "50000")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        requisition_decide(
            requisition=requisition, user=world.pp, decision=Decision.REJECT, comment="Tidak ada di DPA"
        )
    (message,) = _requester_mail(world)
    assert "Ditolak" in message.subject and "Tidak ada di DPA" in message.body


def test_each_person_is_written_to_in_the_language_they_picked(world, django_capture_on_commit_callbacks):
    # given a requester who reads English and approvers who never chose (Indonesian)
    BuyerProfile.objects.create(user=world.requester, language="en")
    # when they submit and the PP rejects, all while the site happens to speak English
    with translation.override("en"):
        with django_capture_on_commit_callbacks(execute=True):
            requisition = _submit(world, "50000")
        with django_capture_on_commit_callbacks(execute=True):
            requisition_decide(
                requisition=requisition, user=world.pp, decision=Decision.REJECT, comment="Tidak perlu"
            )
    # then the PP was asked in Indonesian and the requester told in English
    pp_mail = [m for m in mail.outbox if world.pp.email in m.to]
    assert pp_mail and pp_mail[0].subject.endswith("menunggu persetujuan Anda")
    (told,) = _requester_mail(world)
    assert told.subject.startswith(f"Requisition {requisition.reference}: ")
