"""Forms of the official buying pages: they parse input; procurement.services decides."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken import limits
from peken.money import rupiah_format
from procurement.models import BudgetLine, Unit
from procurement.services import ProcurementError, phone_e164
from procurement.statuses import APPROVER_ROLES, Decision, Role

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BudgetLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line):
        return _("%(code)s %(description)s · %(sub_activity)s (tersedia %(available)s)") % {
            "code": line.account_code,
            "description": line.description,
            "sub_activity": line.sub_activity,
            "available": rupiah_format(line.available),
        }


def budget_lines_of(agency):
    return BudgetLine.objects.filter(agency=agency, fiscal_year=timezone.localdate().year)


class RequisitionDetailsForm(forms.Form):
    """What the requester says about an official basket: which budget, why, where and when."""

    budget_line = BudgetLineChoiceField(
        label=_("Mata anggaran"), queryset=BudgetLine.objects.none(), empty_label=_("Pilih mata anggaran")
    )
    kode_rup = forms.CharField(
        label=_("Kode RUP"),
        max_length=32,
        required=False,
        help_text=_("Kosongkan bila paket ini tidak punya Kode RUP."),
    )
    purpose = forms.CharField(
        label=_("Keperluan"), max_length=limits.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    delivery_address = forms.CharField(
        label=_("Alamat pengiriman"), max_length=limits.MAX_ADDRESS, widget=forms.Textarea(attrs={"rows": 3})
    )
    needed_by = forms.DateField(label=_("Dibutuhkan tanggal"), widget=DATE_INPUT)
    contact_name = forms.CharField(
        label=_("Narahubung"), max_length=150, help_text=_("Orang yang dihubungi penjual tentang pengiriman.")
    )
    contact_phone = forms.CharField(
        label=_("Telepon narahubung"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Nomor Indonesia, misalnya 0812 3456 7890."),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = budget_lines_of(agency)

    def clean_needed_by(self):
        needed_by = self.cleaned_data["needed_by"]
        if needed_by < timezone.localdate():
            raise forms.ValidationError(_("Tanggal dibutuhkan tidak boleh sebelum hari ini."))
        if too_far := limits.needed_by_problem(needed_by):
            raise forms.ValidationError(too_far)
        return needed_by

    def clean_contact_phone(self):
        try:
            return phone_e164(self.cleaned_data["contact_phone"])
        except ProcurementError as error:
            raise forms.ValidationError(str(error)) from error


class RequisitionSubmitForm(RequisitionDetailsForm):
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("Tanpa unit")
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, agency=agency, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency)
        if not self.fields["unit"].queryset.exists():
            del self.fields["unit"]


class RequisitionReviseForm(RequisitionDetailsForm):
    """The details plus a quantity per line (0 drops the line)."""

    def __init__(self, *args, requisition, **kwargs):
        super().__init__(*args, agency=requisition.agency, **kwargs)
        self.lines = list(requisition.lines.all())
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=line.title, min_value=0, max_value=100_000, initial=line.quantity
            )

    def line_fields(self):
        return [(line, self[f"qty_{line.pk}"]) for line in self.lines]

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"qty_{line.pk}"] for line in self.lines}

    def clean(self):
        cleaned = super().clean()
        if self.lines and all(cleaned.get(f"qty_{line.pk}") == 0 for line in self.lines):
            raise forms.ValidationError(_("Sisakan setidaknya satu barang, atau batalkan permintaan ini."))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Keputusan"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=limits.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        needs_reason = cleaned.get("decision") in (Decision.REJECT, Decision.RETURN)
        if needs_reason and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Tuliskan alasannya agar pemohon tahu apa yang harus diperbaiki."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pembatalan"), max_length=limits.MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )


class DelegationForm(forms.Form):
    """An approver names a colleague of the same agency to act for them in one role for some days."""

    delegate = forms.ModelChoiceField(
        label=_("Didelegasikan kepada"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Pilih rekan"),
    )
    role = forms.ChoiceField(label=_("Peran"), choices=())
    start = forms.DateField(label=_("Mulai"), widget=DATE_INPUT)
    end = forms.DateField(label=_("Sampai"), widget=DATE_INPUT)

    def __init__(self, *args, agency, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            get_user_model()
            .objects.filter(memberships__agency=agency)
            .exclude(pk=user.pk)
            .distinct()
            .order_by("first_name", "last_name", "email")
        )
        self.fields["delegate"].label_from_instance = lambda u: f"{u.get_full_name() or u.email} ({u.email})"
        self.fields["role"].choices = [
            (r, Role(r).label) for r in Role.values if r in roles and r in APPROVER_ROLES
        ]
        self.fields["start"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        elif start and end and (too_long := limits.delegation_problem(start=start, end=end)):
            self.add_error("end", too_long)
        return cleaned
