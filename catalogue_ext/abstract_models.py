"""Peken's product: Oscar's product plus what a small shop's listing needs."""

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct


class SaleUnit(models.TextChoices):
    PIECE = "pcs", _("pcs")
    KILOGRAM = "kg", _("kg")
    GRAM = "gram", _("gram")
    LITRE = "liter", _("liter")
    PACK = "pack", _("pak")
    BOX = "dus", _("dus")
    PORTION = "porsi", _("porsi")
    SACK = "karung", _("karung")
    SET = "set", _("set")


class AbstractPekenProduct(AbstractProduct):
    unit = models.CharField(
        _("Satuan"), max_length=10, choices=SaleUnit.choices, default=SaleUnit.PIECE
    )
    min_order_quantity = models.PositiveIntegerField(
        _("Minimal pembelian"), default=1, validators=[MinValueValidator(1)]
    )
    halal_certificate_number = models.CharField(
        _("Nomor sertifikat halal"), max_length=64, blank=True
    )
    made_locally = models.BooleanField(_("Produk lokal"), default=False)
    # Filled by a PostgreSQL trigger (migration 0034) on every insert and
    # update, so Oscar's dashboard, bulk inserts and raw SQL all keep it
    # current. Stays NULL on SQLite, where search falls back to icontains.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta(AbstractProduct.Meta):
        abstract = True
