"""The project's own payment errors: what the gateway turns Stripe's errors into.

Each carries a message for the buyer, in Bahasa Indonesia (English via gettext).
"""

from django.utils.translation import gettext_lazy as _

# Stripe's error and decline codes, as Stripe.js reports them in the browser and the
# API reports them to the server, in the buyer's language.
CARD_ERROR_MESSAGES = {
    "card_declined": _("Kartu ditolak oleh bank penerbit. Coba kartu lain atau pilih bayar di tempat."),
    "generic_decline": _("Kartu ditolak oleh bank penerbit. Coba kartu lain atau pilih bayar di tempat."),
    "insufficient_funds": _("Saldo atau limit kartu tidak cukup. Coba kartu lain."),
    "lost_card": _("Kartu ditolak oleh bank penerbit. Coba kartu lain atau pilih bayar di tempat."),
    "stolen_card": _("Kartu ditolak oleh bank penerbit. Coba kartu lain atau pilih bayar di tempat."),
    "expired_card": _("Kartu sudah kedaluwarsa. Periksa bulan dan tahun berlaku, atau pakai kartu lain."),
    "incorrect_cvc": _("Kode keamanan (CVC) salah. Periksa tiga angka di belakang kartu."),
    "invalid_cvc": _("Kode keamanan (CVC) tidak lengkap atau salah."),
    "incomplete_cvc": _("Kode keamanan (CVC) tidak lengkap atau salah."),
    "incorrect_number": _("Nomor kartu salah. Periksa kembali 16 angka di depan kartu."),
    "invalid_number": _("Nomor kartu salah. Periksa kembali 16 angka di depan kartu."),
    "incomplete_number": _("Nomor kartu belum lengkap."),
    "invalid_expiry_month": _("Bulan berlaku kartu tidak valid."),
    "invalid_expiry_year": _("Tahun berlaku kartu tidak valid."),
    "incomplete_expiry": _("Masa berlaku kartu belum lengkap."),
    "processing_error": _("Terjadi gangguan saat memproses kartu. Silakan coba lagi sebentar lagi."),
    "payment_intent_authentication_failure": _(
        "Verifikasi 3-D Secure dari bank gagal atau dibatalkan. Silakan coba lagi."
    ),
}
CARD_ERROR_DEFAULT = _("Pembayaran kartu gagal. Coba lagi, pakai kartu lain, atau pilih bayar di tempat.")


def card_error_message(code: str | None, decline_code: str | None = None) -> str:
    """The buyer's message for a Stripe error or decline code (the decline code is more precise)."""
    for key in (decline_code, code):
        if key in CARD_ERROR_MESSAGES:
            return str(CARD_ERROR_MESSAGES[key])
    return str(CARD_ERROR_DEFAULT)


class PaymentGatewayError(Exception):
    """Stripe refused or could not do what was asked; `message` is for the buyer or staff."""

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status


class CardDeclined(PaymentGatewayError):
    """The card was declined or failed its checks."""


class PaymentGatewayUnavailable(PaymentGatewayError):
    """Stripe could not be reached or answered with a server error: safe to try again later."""


class WebhookSignatureInvalid(Exception):
    """A webhook's Stripe-Signature header is missing, malformed, stale or does not match."""


class WebhookEventInvalid(ValueError):
    """A signed webhook event that lacks a field its type needs, or carries one of the wrong kind."""
