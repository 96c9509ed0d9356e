"""What the orders app tells the apps that stand on it, which it never imports.

``order_status_changed`` is sent inside order_status_change's transaction,
after the move is saved and the order's stock locked: a receiver that writes
(procurement releasing an official order's budget) takes part in the same
transaction, and queues anything slow with transaction.on_commit. Arguments:
order, change (the OrderStatusChange row), old, new, actor, party, reason.
"""

from django.dispatch import Signal

order_status_changed = Signal()
