"""Writes about shipping: a seller's delivery terms."""

import json

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from oscar.core.loading import get_model

SellerDelivery = get_model("shipping", "SellerDelivery")

FEE_FIELDS = ("local_fee", "near_fee", "middle_fee", "far_fee")


def seller_delivery_update(*, seller, actor: AbstractBaseUser, fees: dict) -> SellerDelivery:
    """Set ``seller``'s delivery fees (None: does not deliver there); orders placed earlier keep theirs.

    ``actor`` must be one of the seller's users (checked by the view). Each
    change is kept in Django's admin log (who, when, old and new fees).
    """
    with transaction.atomic():
        delivery, _created = SellerDelivery.objects.select_for_update().get_or_create(seller=seller)
        before = {f: getattr(delivery, f) for f in FEE_FIELDS}
        for field in FEE_FIELDS:
            setattr(delivery, field, fees.get(field))
        delivery.save()
        changed = {
            f: [str(before[f]), str(getattr(delivery, f))]
            for f in FEE_FIELDS
            if before[f] != getattr(delivery, f)
        }
        if changed:
            LogEntry.objects.create(
                user=actor,
                content_type=ContentType.objects.get_for_model(SellerDelivery),
                object_id=str(delivery.pk),
                object_repr=str(delivery)[:200],
                action_flag=CHANGE,
                change_message=json.dumps([{"changed": {"fields": sorted(changed)}, "values": changed}]),
            )
    return delivery
