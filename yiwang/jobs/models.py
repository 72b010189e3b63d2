"""One row per (periodic job, time slot): the unique pair makes every slot run at most once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    job = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("slot"))
    enqueued = models.BooleanField(
        _("enqueued"), default=True, help_text=_("False for a missed slot folded into a later one.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-slot"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobrun_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
