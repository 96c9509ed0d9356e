"""The one shape of a status-change record: from what to what, who made the move, why and when.

Each stateful model keeps its moves as rows its one move function writes and nothing
updates afterwards (but for marking that the other side was told). A record model adds
its subject (a foreign key), names its statuses in ``statuses`` and redeclares
old_status and new_status with them as choices: the columns keep each table's own length.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AbstractStatusRecord(models.Model):
    """One move of one object's status, and who made it (none when the system or a provider did)."""

    statuses: ClassVar[type[models.TextChoices] | None] = None

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Oleh"),
    )
    # blank: the record of an object's creation starts from no status
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10)

    class Meta:
        abstract = True

    @property
    def new_status_label(self) -> str:
        """The new status as people read it; a value the statuses no longer know is shown as stored."""
        try:
            return str(self.statuses(self.new_status).label)
        except (TypeError, ValueError):
            return self.new_status


class AbstractDecisionRecord(AbstractStatusRecord):
    """A move a person decides and explains, of which the other side is emailed once."""

    reason = models.TextField(_("Alasan"), blank=True)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set in the same transaction as the email to the other side, so a retried task sends nothing more.
    date_notified = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
