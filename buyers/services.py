"""Writes about shoppers: their account, their kecamatan and the language they read."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sites.models import Site
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from oscar.apps.customer.forms import generate_username
from oscar.apps.customer.utils import get_password_reset_url, normalise_email

from buyers.models import BuyerProfile, BuyerProfileChange
from peken import city
from peken.mail import mail_users

User = get_user_model()
REGISTRATION_LOCK = 73_112_026  # with the address's hash, names the advisory lock of its registrations


class RegistrationTokenGenerator(PasswordResetTokenGenerator):
    """Links that switch a new account on; no use as password-reset links, nor twice."""

    key_salt = "buyers.services.RegistrationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


registration_token = RegistrationTokenGenerator()


def _site_url(path: str) -> str:
    return f"{settings.OSCAR_URL_SCHEMA}://{Site.objects.get_current().domain}{path}"


def _awaits_confirmation(user: AbstractBaseUser) -> bool:
    # Registered and never confirmed; an account staff switched off has signed in before.
    return not user.is_active and user.last_login is None


def _mail_confirmation(user: AbstractBaseUser) -> None:
    path = reverse(
        "customer:register-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": registration_token.make_token(user),
        },
    )
    context = {"url": _site_url(path), "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)}
    mail_users(
        users=[user],
        render=lambda: (
            _("Aktifkan akun Peken Anda"),
            render_to_string("buyers/emails/registration_confirm.txt", context),
        ),
    )


def _mail_already_registered(user: AbstractBaseUser) -> None:
    context = {
        "login_url": _site_url(reverse("customer:login")),
        "reset_url": _site_url(get_password_reset_url(user)),
    }
    mail_users(
        users=[user],
        render=lambda: (
            _("Pendaftaran dengan alamat email Anda di Peken"),
            render_to_string("buyers/emails/registration_existing.txt", context),
        ),
    )


def customer_register(*, email: str, password: str, language: str) -> AbstractBaseUser | None:
    """Open an account for ``email`` unless it has one, and write to the address either way.

    The visitor gets the same answer whether or not the address has an account,
    so registration cannot tell anyone who shops here: the address itself is told.
    A new account starts switched off and is switched on by the link mailed to it
    (``customer_confirm``), so nobody can hold an account on someone else's address.
    An address with an account gets a note and a password-reset link, or, if it
    never confirmed, its confirmation link again. Registrations of one address
    run one at a time, so a double click opens one account. ``password`` must have
    passed the password validators. Returns the new account, or None.
    """
    email = normalise_email(email)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [REGISTRATION_LOCK, email.lower()]
                )
        existing = User.objects.filter(email__iexact=email).order_by("pk").first()
        if existing is None:
            user = User(email=email, is_active=False)
            if any(field.name == "username" for field in User._meta.fields):
                user.username = generate_username()
            user.set_password(password)
            user.save()
            buyer_language_set(user=user, language=language)
    if existing is None:
        _mail_confirmation(user)
        return user
    make_password(password)  # as long as a new account's hashing, so the time taken does not tell either
    if _awaits_confirmation(existing):
        _mail_confirmation(existing)
    else:
        _mail_already_registered(existing)
    return None


def customer_confirm(*, uidb64: str, token: str) -> AbstractBaseUser | None:
    """Switch on the account a registration link names, if the link is genuine and unused.

    Only an account that never confirmed is switched on (an account staff
    switched off stays off). Returns the account, or None for a bad, used or
    expired link.
    """
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, OverflowError, User.DoesNotExist):
        return None
    if not _awaits_confirmation(user) or not registration_token.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


class BuyerProfileError(Exception):
    """A profile change that may not be made (a kecamatan not in the city)."""


def buyer_kecamatan_set(
    *, user: AbstractBaseUser, kecamatan: str, actor: AbstractBaseUser | None
) -> BuyerProfile:
    """Set the kecamatan ``user`` lives in ("" forgets it) and record who changed it.

    The kecamatan must be one of the city's (fixtures/surabaya.json). Setting
    the same value again changes and records nothing. Raises BuyerProfileError.
    """
    kecamatan = kecamatan.strip()
    if kecamatan and kecamatan not in city.kecamatan_names():
        raise BuyerProfileError(
            _("%(name)s bukan kecamatan di %(city)s.") % {"name": kecamatan, "city": city.city_name()}
        )
    with transaction.atomic():
        profile, _created = BuyerProfile.objects.select_for_update().get_or_create(user=user)
        if profile.kecamatan != kecamatan:
            BuyerProfileChange.objects.create(
                profile=profile, actor=actor, old_kecamatan=profile.kecamatan, new_kecamatan=kecamatan
            )
            profile.kecamatan = kecamatan
            profile.save(update_fields=["kecamatan", "date_updated"])
    return profile


def buyer_language_set(*, user: AbstractBaseUser, language: str) -> BuyerProfile:
    """Remember the language ``user`` picked, so emails to them go out in it.

    A preference, not a record: the last choice wins and nothing is kept of
    earlier ones. Raises BuyerProfileError for a language the site does not offer.
    """
    if language not in dict(settings.LANGUAGES):
        raise BuyerProfileError(_("Bahasa %(code)s tidak tersedia.") % {"code": language})
    profile, _created = BuyerProfile.objects.get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language", "date_updated"])
    return profile
