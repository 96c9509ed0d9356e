from rest_framework import serializers


class RupiahField(serializers.DecimalField):
    """Whole rupiah, as Peken's services round it; a string in JSON (COERCE_DECIMAL_TO_STRING)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        super().__init__(decimal_places=0, **kwargs)
