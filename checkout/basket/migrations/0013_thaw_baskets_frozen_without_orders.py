"""Reopen baskets left frozen by a placement that died half-way (before placement locked and
submitted the basket in one transaction); their shoppers found an empty basket. A shopper who
has started another basket since gets both merged into one on their next visit (Oscar's basket
middleware merges a person's open baskets)."""

from django.db import migrations

OPEN, FROZEN = "Open", "Frozen"


def thaw(apps, schema_editor):
    Basket = apps.get_model("basket", "Basket")
    Order = apps.get_model("order", "Order")
    placed = Order.objects.filter(basket_id__isnull=False).values("basket_id")
    Basket.objects.filter(status=FROZEN).exclude(pk__in=placed).update(status=OPEN)


class Migration(migrations.Migration):
    dependencies = [
        ("basket", "0012_line_code"),
        ("order", "0001_initial"),
    ]

    operations = [migrations.RunPython(thaw, migrations.RunPython.noop)]
