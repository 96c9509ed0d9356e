"""Personal API tokens: a user's own keys for the systems they connect to Peken."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What a token may do; each endpoint names the one scope it needs."""

    READ = "read", _("Baca: katalog, pesanan dan laporan saya")
    SELLER = "seller", _("Penjual: produk, stok dan pesanan toko")
    PROCUREMENT = "procurement", _("Pengadaan: permintaan, persetujuan, anggaran")


class ApiToken(models.Model):
    """One named token. Only a hash of the key is kept: the key is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("Nama"), max_length=80)
    # the first characters of the key, shown in the list so its owner can tell keys apart
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Token API")
        verbose_name_plural = _("Token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]
