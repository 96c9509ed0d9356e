"""Verifiers approve, reject and suspend shops; a suspended shop's goods leave the storefront at once."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from sellers import services
from sellers.abstract_models import SellerStatus
from tests.checkout_flow import basket_add, checkout_to_preview, order_place
from tests.factories import PartnerFactory, UserFactory, category_create, product_create
from tests.test_seller_registration import form_data

Partner = get_model("partner", "Partner")
Order = get_model("order", "Order")


@pytest.fixture
def pending_shop(db):
    owner = UserFactory(email="ningsih@contoh.id", username="ningsih")
    shop = PartnerFactory(name="Kue Basah Bu Ningsih", status=SellerStatus.PENDING)
    shop.users.add(owner)
    return shop


def decide(client, shop, status, reason=""):
    return client.post(
        reverse("sellers:verification-decide", kwargs={"pk": shop.pk}), {"status": status, "reason": reason}
    )


def test_only_verifiers_see_the_queue(pending_shop, shopper_client, verifier_client):
    queue = reverse("sellers:verification-queue")
    decide_url = reverse("sellers:verification-decide", kwargs={"pk": pending_shop.pk})
    assert shopper_client.get(queue).status_code == 403
    assert shopper_client.post(decide_url, {"status": SellerStatus.ACTIVE}).status_code == 403
    assert Client().get(queue).status_code == 403
    page = verifier_client.get(queue)
    assert page.status_code == 200 and "Kue Basah Bu Ningsih" in page.content.decode()
    assert Partner.objects.get().status == SellerStatus.PENDING


def test_approval_puts_the_shop_on_sale_and_tells_the_owner(
    pending_shop, verifier, verifier_client, client, django_capture_on_commit_callbacks
):
    sembako = category_create("Sembako")
    product = product_create(title="Kue Lapis Legit", partner=pending_shop, category=sembako)
    # given a pending shop's product is not on the storefront
    assert client.get(product.get_absolute_url()).status_code == 404
    assert "Kue Lapis Legit" not in client.get(sembako.get_absolute_url()).content.decode()

    # when a verifier approves it
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(verifier_client, pending_shop, SellerStatus.ACTIVE)

    # then it is active, the decision is recorded, the owner is emailed, and its goods are on sale
    assert response.status_code == 302
    pending_shop.refresh_from_db()
    assert pending_shop.status == SellerStatus.ACTIVE
    decision = pending_shop.decisions.get()
    assert (decision.actor, decision.old_status) == (verifier, SellerStatus.PENDING)
    assert [m.to for m in mail.outbox] == [["ningsih@contoh.id"]]
    assert "Aktif" in mail.outbox[0].body
    assert client.get(product.get_absolute_url()).status_code == 200
    assert "Kue Lapis Legit" in client.get(sembako.get_absolute_url()).content.decode()


def test_rejection_needs_a_reason_which_reaches_the_owner(
    pending_shop, verifier_client, django_capture_on_commit_callbacks
):
    response = decide(verifier_client, pending_shop, SellerStatus.REJECTED)
    assert "Tulis alasannya" in str(response.context["form"].errors["reason"])
    assert Partner.objects.get().status == SellerStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        decide(verifier_client, pending_shop, SellerStatus.REJECTED, "Foto KTP tidak terbaca")
    assert Partner.objects.get().status == SellerStatus.REJECTED
    assert "Foto KTP tidak terbaca" in mail.outbox[0].body
    # a rejected shop cannot be suspended: only the moves in the table are offered
    response = decide(verifier_client, pending_shop, SellerStatus.SUSPENDED, "x")
    assert "status" in response.context["form"].errors


def test_a_second_shop_with_the_same_nik_is_registered_but_shown_to_the_verifier(
    shopper_client, verifier_client
):
    # given an active shop whose owner's NIK is 3578014502890003, and a shop with another NIK
    first = PartnerFactory(name="Toko Ningsih Lama", ktp_number="3578014502890003", owner_name="Ningsih R.")
    PartnerFactory(name="Toko Lain", ktp_number="3578010101900001")

    # when someone registers a new shop with the same NIK
    response = shopper_client.post(
        reverse("sellers:register"), form_data(name="Kue Basah Bu Ningsih", ktp_number="3578 0145 0289 0003")
    )

    # then it is registered, pending, and the queue and its page point the verifier to the first shop
    assert response.status_code == 302, response.context["form"].errors
    second = Partner.objects.get(name="Kue Basah Bu Ningsih")
    assert second.status == SellerStatus.PENDING
    queue = verifier_client.get(reverse("sellers:verification-queue")).content.decode()
    assert "NIK juga di toko lain" in queue
    page = verifier_client.get(
        reverse("sellers:verification-decide", kwargs={"pk": second.pk})
    ).content.decode()
    warning = page[page.index('id="same_nik"') :]
    warning = warning[: warning.index("</div>")]
    assert reverse("sellers:verification-decide", kwargs={"pk": first.pk}) in warning
    assert "Toko Ningsih Lama" in warning and "Toko Lain" not in warning
    # and the first shop's page names the new one too, while a shop with its own NIK has no warning
    first_page = verifier_client.get(reverse("sellers:verification-decide", kwargs={"pk": first.pk}))
    assert "Kue Basah Bu Ningsih" in first_page.content.decode()
    other = Partner.objects.get(name="Toko Lain")
    assert (
        'id="same_nik"'
        not in verifier_client.get(
            reverse("sellers:verification-decide", kwargs={"pk": other.pk})
        ).content.decode()
    )


def test_the_owner_is_emailed_once_however_often_the_task_runs(pending_shop, verifier):
    decision = services.seller_status_change(seller=pending_shop, actor=verifier, status=SellerStatus.ACTIVE)
    assert services.seller_decision_notify(decision_id=decision.pk) is True
    assert services.seller_decision_notify(decision_id=decision.pk) is False
    assert len(mail.outbox) == 1


def test_suspension_takes_goods_off_sale_at_once_but_keeps_orders_visible(
    settings, verifier_client, shopper_client, indonesia, django_capture_on_commit_callbacks
):
    settings.PEKEN_PAGE_CACHE_SECONDS = 60
    sembako = category_create("Sembako")
    shop = PartnerFactory(name="Toko Emas Batangan")
    gold = product_create(title="Emas Batangan 1 gram", partner=shop, category=sembako)
    # given a shopper ordered from the shop, has its product in their basket again,
    # and anonymous visitors were served the category page from the shared cache
    basket_add(shopper_client, gold)
    checkout_to_preview(shopper_client)
    with django_capture_on_commit_callbacks(execute=True):
        order_place(shopper_client)
    order = Order.objects.get()
    basket_add(shopper_client, gold)
    Client().get(sembako.get_absolute_url())
    assert Client().get(sembako.get_absolute_url())["X-Page-Cache"] == "hit"

    # when a verifier suspends the shop
    with django_capture_on_commit_callbacks(execute=True):
        decide(verifier_client, shop, SellerStatus.SUSPENDED, "Emas batangan bukan barang UMKM")

    # then its goods are gone from listings (shared pages included), search and their page
    visitor = Client()
    assert "Emas Batangan" not in visitor.get(sembako.get_absolute_url()).content.decode()
    assert "Emas Batangan" not in visitor.get(reverse("search:search"), {"q": "emas"}).content.decode()
    assert visitor.get(gold.get_absolute_url()).status_code == 404
    # and the basket line can no longer become an order
    refused = shopper_client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)
    assert Order.objects.count() == 1
    refusal = refused.content.decode()
    assert "Emas Batangan 1 gram" in refusal and "tidak lagi tersedia" in refusal
    # but the earlier order stays in the shopper's history
    assert order.number in shopper_client.get(reverse("customer:order-list")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_verifiers_deciding_at_once_make_one_decision():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    # given a pending shop and eight verifiers, half approving and half rejecting it
    shop = PartnerFactory(name="Toko Rebutan", status=SellerStatus.PENDING)
    verifiers = [UserFactory(email=f"verifikator{i}@contoh.id") for i in range(8)]
    barrier = threading.Barrier(len(verifiers))

    def decide_now(i):
        try:
            barrier.wait(timeout=30)
            services.seller_status_change(
                seller=shop,
                actor=verifiers[i],
                reason="cek",
                status=SellerStatus.ACTIVE if i % 2 else SellerStatus.REJECTED,
            )
            return "moved"
        except services.SellerStatusError:
            return "refused"
        finally:
            connection.close()

    # when they all decide at the same moment, in parallel transactions
    with ThreadPoolExecutor(max_workers=len(verifiers)) as pool:
        outcomes = list(pool.map(decide_now, range(len(verifiers))))

    # then exactly one decision took effect and the shop's status is that decision
    assert outcomes.count("moved") == 1
    decision = shop.decisions.get()
    shop.refresh_from_db()
    assert shop.status == decision.new_status
