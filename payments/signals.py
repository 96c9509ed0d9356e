"""What the payments app tells the apps that stand on it, which it never imports.

Orders refund through payments.services, so payments may not call back into
orders: when Stripe reports a basket's card payment paid, it sends
``payment_succeeded`` instead, and the orders app (orders/apps.py) marks
that checkout's orders paid. Sent inside stripe_event_handle's transaction
with the Payment row locked, so a receiver that writes takes part in the
same transaction and cannot interleave with the placement of those orders
(which locks the same row). Arguments: payment.
"""

from django.dispatch import Signal

payment_succeeded = Signal()
