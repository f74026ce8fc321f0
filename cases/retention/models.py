"""How long an administration keeps a closed case's personal data."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

MIN_DAYS = 30
MAX_DAYS = 3650


class RetentionPolicy(models.Model):
    """Days after a case's closure at which its usager's data is anonymised. No row: the
    national default, ``settings.RETENTION_CLOSED_CASE_DAYS`` (README, "Retention")."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    closed_case_days = models.PositiveIntegerField(
        _("days a closed case keeps the usager's data"),
        validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.closed_case_days}"


def retention_days(administration: Administration) -> int:
    policy = RetentionPolicy.objects.filter(administration=administration).first()
    return policy.closed_case_days if policy else settings.RETENTION_CLOSED_CASE_DAYS
