"""Emails go out in the language each recipient picked, not in the language of whoever caused them."""

from django.core import mail
from django.urls import reverse
from django.utils import translation

from buyers.models import BuyerProfile
from sellers import services
from sellers.abstract_models import SellerStatus
from tests.factories import DEFAULT_PASSWORD, PartnerFactory, UserFactory


def test_the_language_switcher_remembers_a_signed_in_persons_choice(client, db):
    # given a signed-in shopper with no language saved
    user = UserFactory(email="rina@contoh.id", username="rina")
    client.login(username=user.email, password=DEFAULT_PASSWORD)
    # when they switch the site to English
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    # then the site answers in English and the choice is kept for their emails
    assert response.status_code == 302
    assert BuyerProfile.objects.get(user=user).language == "en"
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert BuyerProfile.objects.get(user=user).language == "id"


def test_an_anonymous_switch_stores_nothing(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not BuyerProfile.objects.exists()


def test_a_decision_mails_each_owner_in_their_own_language(db, django_capture_on_commit_callbacks):
    # given a shop with one owner reading English and one who never chose (Indonesian)
    english = UserFactory(email="owner@example.com", username="owner")
    BuyerProfile.objects.create(user=english, language="en")
    indonesian = UserFactory(email="pemilik@contoh.id", username="pemilik")
    shop = PartnerFactory(name="Warung Bu Sri", status=SellerStatus.PENDING)
    shop.users.add(english, indonesian)
    verifier = UserFactory(email="dewi@dinkopdag.surabaya.go.id", username="dewi")
    # when the verifier approves the shop while browsing in English
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.seller_status_change(seller=shop, actor=verifier, status=SellerStatus.ACTIVE)
    # then each owner's email is in their language
    by_recipient = {tuple(m.to): m.subject for m in mail.outbox}
    assert by_recipient == {
        ("owner@example.com",): "Your shop is active on Peken",
        ("pemilik@contoh.id",): "Toko Anda aktif di Peken",
    }
