"""A shopper's profile: where they live, so listings can favour shops near them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AbstractBuyerProfile(models.Model):
    """One row per shopper who has told us their kecamatan; changed only through buyers.services."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buyer_profile"
    )
    kecamatan = models.CharField(_("Kecamatan tempat tinggal"), max_length=64, blank=True)
    # The language last picked with the switcher: emails to this person go out in it.
    language = models.CharField(_("Bahasa"), max_length=8, blank=True, choices=settings.LANGUAGES)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        verbose_name = _("Profil pembeli")
        verbose_name_plural = _("Profil pembeli")

    def __str__(self):
        return f"{self.user}: {self.kecamatan or '-'}"


class AbstractBuyerProfileChange(models.Model):
    """Append-only record of who changed a shopper's kecamatan, from what to what, and when."""

    profile = models.ForeignKey("buyers.BuyerProfile", on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_kecamatan = models.CharField(max_length=64, blank=True)
    new_kecamatan = models.CharField(max_length=64, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-date_created", "-id"]

    def __str__(self):
        return f"{self.profile.user}: {self.old_kecamatan or '-'} → {self.new_kecamatan or '-'}"
