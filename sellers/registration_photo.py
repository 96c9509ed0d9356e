"""A registration's shop photo, kept while the owner corrects other fields of the form.

A browser never sends a chosen file twice, so a form that comes back with an
error would lose the photo. Once accepted, it is stored under a random name
and the form carries a signed token naming it and the account, so the next
submission uses it unless another photo is chosen.
"""

from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

HELD_DIR = "sellers/held"
SALT = "sellers.registration-photo"
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class HeldPhoto:
    token: str
    name: str  # in default storage
    original_name: str

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    def open(self) -> File:
        """The photo as a file the shop's ImageField copies into its own place."""
        return File(default_storage.open(self.name), name=self.original_name)


def photo_hold(*, user: AbstractBaseUser, photo: UploadedFile) -> HeldPhoto:
    """Store an accepted registration photo for ``user`` and return it with its token."""
    suffix = Path(photo.name).suffix.lower()[:5]
    name = default_storage.save(f"{HELD_DIR}/{uuid4().hex}{suffix}", photo)
    token = signing.dumps({"name": name, "user": user.pk, "original": Path(photo.name).name[:100]}, salt=SALT)
    return HeldPhoto(token=token, name=name, original_name=Path(photo.name).name[:100])


def photo_held(*, user: AbstractBaseUser, token: str) -> HeldPhoto | None:
    """The photo a token names, if it was held for this user within a day and is still stored."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk or not str(data.get("name", "")).startswith(f"{HELD_DIR}/"):
        return None
    if not default_storage.exists(data["name"]):
        return None
    return HeldPhoto(token=token, name=data["name"], original_name=data.get("original") or "toko.jpg")


def photo_release(*, held: HeldPhoto | None) -> None:
    """Delete a held photo once the shop has its own copy or another photo replaced it."""
    if held is not None:
        default_storage.delete(held.name)
