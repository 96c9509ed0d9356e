"""Emails to people in the language each of them reads.

A task queued from a request runs (eagerly, or in a worker) in whatever
language happens to be active, which is the sender's, not the reader's: a
shopper browsing in English would mail the shop in English. So every email
to a user is rendered once per language among its recipients, inside that
language.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.utils import translation

from buyers.selectors import user_languages


def user_language(user: AbstractBaseUser | None) -> str:
    """The language emails to ``user`` are written in (the site's for nobody)."""
    user_id = getattr(user, "pk", None)
    return user_languages(user_ids=[user_id])[user_id] if user_id else translation.get_language()


def mail_users(*, users: Iterable[AbstractBaseUser], render: Callable[[], tuple[str, str]]) -> int:
    """Send ``render()``'s (subject, body) to every user with an email, each in their language.

    ``render`` is called once per language, with that language active. Returns
    how many people were mailed.
    """
    with_email = {user.pk: user.email for user in users if user.email}
    by_language: dict[str, list[str]] = defaultdict(list)
    for user_id, language in user_languages(user_ids=list(with_email)).items():
        by_language[language].append(with_email[user_id])
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            subject, body = render()
            send_mail(str(subject), body, None, sorted(recipients))
    return len(with_email)
