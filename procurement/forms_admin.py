"""Forms of the agency admin's pages (/pengadaan/opd/): roles, budget lines, the budget CSV."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from peken import limits
from peken.forms import RupiahField
from peken.money import rupiah_format
from procurement.models import BudgetLine, Unit
from procurement.statuses import Role

GRANTABLE_ROLES = [(role.value, role.label) for role in Role if role != Role.AUDITOR]


class MembershipGrantForm(forms.Form):
    """Give a role to a person who already has a Peken account, found by email."""

    email = forms.EmailField(label=_("Email pegawai"), help_text=_("Orang itu harus sudah punya akun Peken."))
    role = forms.ChoiceField(label=_("Peran"), choices=GRANTABLE_ROLES)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("Tanpa unit")
    )
    nip = forms.CharField(
        label=_("NIP"),
        max_length=24,
        required=False,
        help_text=_("18 angka; dicetak di bawah tanda tangan pada BAST, kuitansi dan surat pesanan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency).order_by("name")
        self.fields["unit"].label_from_instance = lambda unit: unit.name

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
        if user is None:
            raise forms.ValidationError(
                _(
                    "Belum ada akun Peken dengan email %(email)s. Minta orang itu "
                    "mendaftar dulu, lalu berikan perannya."
                )
                % {"email": email}
            )
        self.cleaned_data["user"] = user
        return email


class UnitForm(forms.Form):
    """A new unit (bidang, seksi, UPT, puskesmas) of the agency."""

    name = forms.CharField(label=_("Nama unit baru"), max_length=Unit._meta.get_field("name").max_length)


class BudgetLineForm(forms.ModelForm):
    """What an agency admin may change on a budget line; sub-activity and kode rekening stay as in the DPA."""

    ceiling = RupiahField(
        label=_("Pagu (Rp)"), error_messages={"invalid": _("Tulis rupiah bulat, misalnya 1.500.000.")}
    )

    class Meta:
        model = BudgetLine
        fields = ["description", "funding_source", "ceiling"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["ceiling"] = rupiah_format(self.instance.ceiling, symbol=False)

    def clean_ceiling(self) -> Decimal:
        ceiling = self.cleaned_data["ceiling"]
        if too_big := limits.number_problem(ceiling, maximum=limits.MAX_RUPIAH, label=_("Jumlah")):
            raise forms.ValidationError(too_big, code="too_big")
        return ceiling

    def _post_clean(self):
        # the service validates and saves under a row lock; the form only parses
        pass


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas CSV"),
        error_messages={
            "required": _("Pilih berkas CSV."),
            "empty": _("Berkas kosong. Unduh templat, isi, lalu unggah lagi."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    fiscal_year = forms.TypedChoiceField(label=_("Tahun anggaran"), coerce=int, choices=())

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(year, str(year)) for year in years]
