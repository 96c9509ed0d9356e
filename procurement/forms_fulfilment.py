"""Forms of the receipt pages: they read what the receiver typed; procurement.services.fulfilment decides.

The rules of a handover (at most what is still awaited, accepted within received, a reason for a
rejection) live in goods_receipt_record; its refusal is shown on the form, which keeps what was typed.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken import limits
from procurement.forms import DATE_INPUT
from procurement.services import ReceivedLine

# a count of goods in one delivery; above this it is a zero typed too many
MAX_QUANTITY = 100_000


def quantity_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1}),
    )


class GoodsReceiptForm(forms.Form):
    """One delivery: the date, per awaited line how many came and how many are accepted, and a note.

    A blank count is zero; a blank accepted count means everything that came is accepted.
    """

    received_on = forms.DateField(label=_("Tanggal diterima"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=limits.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, progress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        # only lines still awaited can arrive
        self.progress = [p for p in progress if p.outstanding > 0]
        for p in self.progress:
            pk, title = p.line.pk, p.line.title
            self.fields[f"received_{pk}"] = quantity_field(_("Jumlah datang: %(title)s") % {"title": title})
            self.fields[f"accepted_{pk}"] = quantity_field(
                _("Jumlah diterima baik: %(title)s") % {"title": title}
            )
            self.fields[f"reason_{pk}"] = forms.CharField(
                label=_("Alasan ditolak: %(title)s") % {"title": title},
                required=False,
                max_length=limits.MAX_NOTE,
            )

    def line_rows(self) -> list[tuple]:
        """(progress, received field, accepted field, reason field) per awaited line, for the template."""
        return [
            (p, self[f"received_{p.line.pk}"], self[f"accepted_{p.line.pk}"], self[f"reason_{p.line.pk}"])
            for p in self.progress
        ]

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("Tanggal diterima tidak boleh setelah hari ini."))
        return received_on

    def received_lines(self) -> dict[int, ReceivedLine]:
        """What was typed, per order line id, as the service takes it."""
        lines = {}
        for p in self.progress:
            pk = p.line.pk
            received = self.cleaned_data.get(f"received_{pk}") or 0
            accepted = self.cleaned_data.get(f"accepted_{pk}")
            lines[pk] = ReceivedLine(
                received=received,
                accepted=received if accepted is None else accepted,
                reason=self.cleaned_data.get(f"reason_{pk}") or "",
            )
        return lines


class CloseShortForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan menutup dengan kekurangan"),
        max_length=limits.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Misalnya: penjual menyatakan sisa barang tidak bisa dikirim."),
    )
