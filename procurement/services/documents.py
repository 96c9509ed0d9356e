"""The documents of an official purchase: numbered without gaps, rendered to PDF, hashed, verifiable."""


def documents_issue_due(*, order_id: int, actor_id: int | None) -> list:
    """Issue every document ``order_id`` is due and does not have yet; the ones issued."""
    return []
