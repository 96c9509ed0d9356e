"""The report figures as JSON: what the report pages show, amounts in whole rupiah as strings."""

from rest_framework import serializers

from api.fields import RupiahField
from reports.spend import DIMENSIONS


class ReportQuerySerializer(serializers.Serializer):
    """The report pages' filter bar, by the same names; every field optional (this year, all)."""

    tahun = serializers.IntegerField(required=False, help_text="budget year, default this year")
    bulan = serializers.IntegerField(required=False, help_text="1-12; empty: the whole year")
    opd = serializers.IntegerField(required=False, help_text="an agency's id, among those you read")
    unit = serializers.IntegerField(required=False)
    kategori = serializers.IntegerField(required=False, help_text="a product category's id")
    kecamatan = serializers.CharField(required=False, help_text="the seller's kecamatan")
    skala = serializers.CharField(required=False, help_text="mikro, kecil, menengah, koperasi, …")


class SpendQuerySerializer(ReportQuerySerializer):
    per = serializers.ChoiceField(choices=list(DIMENSIONS), required=False, help_text="rows per; default opd")


class MonthAmountSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    amount = RupiahField()


class RealisationRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    ceiling = RupiahField()
    committed = RupiahField()
    realised = RupiahField()
    available = RupiahField()
    percent = serializers.FloatField(allow_null=True)
    paid = RupiahField(help_text="paid in the period under the filter")


class RealisationTotalsSerializer(serializers.Serializer):
    ceiling = RupiahField()
    committed = RupiahField()
    realised = RupiahField()
    available = RupiahField()
    percent = serializers.FloatField(allow_null=True)
    paid = RupiahField()


class RealisationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    agencies = RealisationRowSerializer(many=True)
    totals = RealisationTotalsSerializer()
    paid_by_month = MonthAmountSerializer(many=True)


class ShareSerializer(serializers.Serializer):
    umkm = RupiahField()
    total = RupiahField()
    percent = serializers.FloatField(allow_null=True)


class ShareMonthSerializer(ShareSerializer):
    month = serializers.IntegerField()


class ShareAgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    ytd_umkm = RupiahField()
    ytd_total = RupiahField()
    ytd_percent = serializers.FloatField(allow_null=True)
    month_umkm = RupiahField()
    month_total = RupiahField()
    below_target = serializers.SerializerMethodField()

    def get_below_target(self, row) -> bool:
        return row.ytd_percent is not None and row.ytd_percent < self.context["target"]


class UmkmShareSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    target_percent = serializers.IntegerField()
    city_months = ShareMonthSerializer(many=True)
    city_year_to_date = ShareSerializer()
    agencies = ShareAgencySerializer(many=True)


class SpendRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    amount = RupiahField()
    orders = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="percent of the rows' total")
    code = serializers.CharField()
    kecamatan = serializers.CharField()
    scale = serializers.CharField()


class SpendSummarySerializer(serializers.Serializer):
    total = RupiahField()
    orders = serializers.IntegerField()
    goods = RupiahField()
    services = RupiahField()
    approval_to_receipt_days = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, source="approval_to_receipt"
    )
    receipt_to_payment_days = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, source="receipt_to_payment"
    )


class SpendSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    per = serializers.CharField()
    summary = SpendSummarySerializer()
    rows = SpendRowSerializer(many=True)
