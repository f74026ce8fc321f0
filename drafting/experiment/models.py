"""Tables of the experiment: frozen periods and the arm drawn for each case (app ``drafting``)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration
from cases.models import Case

# --- experiment -----------------------------------------------------------------------------

# The drafting backends (``ExperimentPeriod.backend``, the ``DRAFTING_BACKEND`` setting) as a
# manager reads them: the codes "offline" and "openai" are not words of a page or the journal.
BACKEND_NAMES = {
    "offline": _("Offline drafter of Guichet"),
    "openai": _("OpenAI-compatible model"),
}


class ExperimentPeriod(models.Model):
    """A frozen experiment configuration: results are split by these periods."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="experiment_periods"
    )
    assisted_share = models.DecimalField(
        _("assisted share"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of new cases drafted by AI (0 to 1)."),
    )
    seed = models.CharField(_("random seed"), max_length=64)
    backend = models.CharField(_("drafting backend"), max_length=32, default="offline")
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("experiment period")
        verbose_name_plural = _("experiment periods")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration"],
                condition=Q(ended_at__isnull=True),
                name="experiment_one_running_period",
            ),
            models.CheckConstraint(
                condition=Q(assisted_share__gte=0) & Q(assisted_share__lte=1),
                name="experiment_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.administration} · {self.started_at:%Y-%m-%d} · {self.assisted_share}"


class Arm(models.TextChoices):
    ASSISTED = "assisted", _("Assisted")
    CONTROL = "control", _("Control")


class CaseArm(models.Model):
    """The experiment arm drawn for a case when it was created."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="arm")
    period = models.ForeignKey(ExperimentPeriod, on_delete=models.PROTECT, related_name="arms")
    arm = models.CharField(max_length=10, choices=Arm.choices)
    draw = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["period", "arm"], name="casearm_period_idx"),
            # The impact report joins a period's arms to their cases from the index alone.
            models.Index(
                fields=["period", "case"], include=["arm"], name="casearm_period_case_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.arm}"
