"""The usager's answer to the satisfaction survey."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .case import Case


class SatisfactionResponse(models.Model):
    """The usager's answer to the satisfaction survey sent with the reply: one per case."""

    class Answered(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="satisfaction")
    # Copied from the case so that the dashboards aggregate this table alone.
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="satisfaction_responses"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    answered = models.CharField(
        _("did this answer your question?"), max_length=10, choices=Answered.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("answered on"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction response")
        verbose_name_plural = _("satisfaction responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="satisfaction_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(answered__in=["yes", "partly", "no"]),
                name="satisfaction_answered_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["administration", "created_at"], name="satisfaction_admin_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.rating}"
