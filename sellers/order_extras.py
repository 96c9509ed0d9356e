"""Blocks other apps add to the seller centre's order page and printable order sheet.

The marketplace never imports procurement (STYLE.md), yet a seller of an
official order needs the agency's details. So the seller centre owns this
registry and procurement registers a provider when its app is ready: given
an order, a provider returns the template and context of its block, or None.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrderExtra:
    """One block: ``template`` is included with ``extra`` set to ``context``."""

    template: str
    context: dict = field(default_factory=dict)


_providers: list[Callable] = []


def order_extra_register(provider: Callable) -> None:
    """Add ``provider(order) -> OrderExtra | None``; registering the same one twice adds it once."""
    if provider not in _providers:
        _providers.append(provider)


def order_extras(*, order) -> list[OrderExtra]:
    """The blocks every registered provider has for ``order``, in registration order."""
    return [extra for provider in _providers if (extra := provider(order)) is not None]
