from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .journal import audited
from .validators import validate_siret


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address. National staff are superusers."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Our manager creates users by e-mail, not by the username django-stubs expects.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.email)


def person_name(first_name: str, last_name: str, email: str) -> str:
    """``User.display_name`` from its columns (lists that read values, not users)."""
    return f"{first_name} {last_name}".strip() or email


class Administration(models.Model):
    """The tenant: nobody sees another administration's data."""

    class Kind(models.TextChoices):
        NATIONAL_OPERATOR = "national_operator", _("National operator")
        MINISTRY_SERVICE = "ministry_service", _("Ministry service")
        FRANCE_SERVICES = "france_services", _("France Services site")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    code = models.CharField(
        _("reference prefix"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,12}$", _("2 to 12 capital letters or digits."))],
        help_text=_("Prefix of case references, e.g. CAF69 gives CAF69-2026-000123."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    signature = models.TextField(
        _("signature"), blank=True, help_text=_("Signature used at the end of replies.")
    )
    closing = models.CharField(
        _("closing formula"),
        max_length=300,
        blank=True,
        default=(
            "Nous vous prions d'agréer, Madame, Monsieur, "
            "l'expression de nos salutations distinguées."
        ),
    )
    # Sent replies end with the public links of the fiches the draft cited (issue 12).
    reply_references = models.BooleanField(
        _("“Pour en savoir plus” list in replies"),
        default=True,
        help_text=_(
            "A reply built from a draft ends with the public links of the fiches it relies on."
        ),
    )
    volunteer_quota = models.PositiveIntegerField(
        _("volunteer quota"),
        null=True,
        blank=True,
        help_text=_("Most volunteers approved at once; empty for no limit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="administration_siret_unique"
            ),
        ]
        # Object permissions held through role groups on this row (ARCHITECTURE §3).
        permissions = [
            ("view_cases", _("View the administration's cases")),
            ("work_cases", _("Take, annotate and answer cases")),
            ("assign_cases", _("Assign any case and act on colleagues' cases")),
            ("view_dashboard", _("View workloads and experiment results")),
            ("manage_members", _("Manage members and volunteer enrolment")),
            ("manage_settings", _("Manage the administration's settings and knowledge")),
            ("manage_experiment", _("Set up the drafting experiment")),
            ("view_audit", _("View the administration's audit journal")),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class RoleGroup(models.Model):
    """The guardian group that carries one role's permissions on one administration."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "role"], name="rolegroup_one_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration.slug}:{self.role}"


@audited
class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    team = models.CharField(_("team"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # An invitation sent to someone who already has an account (in another administration):
    # inactive, it gives nothing until the person accepts it from their own session
    # (accounts.services.membership_accept). Nothing about them is shown meanwhile.
    pending = models.BooleanField(_("waiting for acceptance"), default=False)
    # Every invitation waits for its person, whether the address had an account or not, so that
    # the inviting administration cannot tell the two apart (tests/security/test_invitations).
    # One that brought the person to Guichet (no account elsewhere) is accepted by their next
    # sign-in (accounts.services.memberships_join_at_sign_in); any other from their session.
    joins_at_sign_in = models.BooleanField(_("accepted at sign-in"), default=False)
    # The names the inviting administration typed: how it knows the person. Shown for this
    # membership until the person's own names exist; never written over the person's account.
    invited_first_name = models.CharField(_("first name typed"), max_length=150, blank=True)
    invited_last_name = models.CharField(_("last name typed"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["administration__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administration"], name="membership_one_per_pair"
            )
        ]
        indexes = [models.Index(fields=["administration", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.administration} · {self.get_role_display()}"

    @property
    def shown_names(self) -> tuple[str, str]:
        """(first, last) as the administration may see them: the names it typed while the
        invitation waits (nothing about the person's account shows through), then the person's
        own ones, or the typed ones for as long as the person has none."""
        user = self.user
        if self.pending or not (user.first_name or user.last_name):
            return self.invited_first_name, self.invited_last_name
        return user.first_name, user.last_name

    @property
    def shown_full_name(self) -> str:
        return " ".join(name for name in self.shown_names if name)

    @property
    def shown_display_name(self) -> str:
        return self.shown_full_name or self.user.email


@audited
class ConsentText(models.Model):
    """The text an agent reads before volunteering; versioned per administration."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="consent_texts"
    )
    version = models.PositiveIntegerField()
    text = models.TextField(_("consent text"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["administration", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "version"], name="consent_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration} · v{self.version}"


@audited
class Enrolment(models.Model):
    """An agent's participation in the drafting experiment: their consent, and its decision.

    Rows are a history: re-joining after a withdrawal or a refusal is a new request.
    """

    class Status(models.TextChoices):
        # Put in a cohort by the administrators; waits for the agent's own consent.
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    consent = models.ForeignKey(
        ConsentText, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    cohort = models.CharField(_("cohort"), max_length=100, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    LIVE = ("invited", "requested", "approved")

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administration"],
                condition=Q(status__in=["invited", "requested", "approved"]),
                name="enrolment_one_live_per_member",
            ),
            # Nobody is enrolled without their own recorded consent.
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(consented_at__isnull=False),
                name="enrolment_approved_has_consent",
            ),
        ]
        indexes = [models.Index(fields=["administration", "status"], name="enrolment_admin_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.administration} · {self.get_status_display()}"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit journal is append-only: entries are never updated.")

    def delete(self):
        raise TypeError("The audit journal is append-only: entries are never deleted.")


@audited
class AuditEntry(models.Model):
    """One line of an administration's journal: who changed what, when.

    Append-only (the ORM refuses updates and the database refuses UPDATE and DELETE), like the
    case journal. ``actor_label`` keeps the actor's e-mail as it was, so the journal still
    reads right after an account is renamed.
    """

    class Category(models.TextChoices):
        MEMBERSHIP = "membership", _("Members")
        ENROLMENT = "enrolment", _("Volunteers")
        EXPERIMENT = "experiment", _("Experiment")
        SETTINGS = "settings", _("Settings")
        KNOWLEDGE = "knowledge", _("Knowledge")
        ACCESS = "access", _("API access")

    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="audit_entries"
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # A stable machine name such as "membership.role_changed"; the page translates it.
    action = models.CharField(_("action"), max_length=60)
    target_label = models.CharField(_("subject"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["administration", "-created_at"], name="audit_admin_created_idx"),
            models.Index(
                fields=["administration", "category", "-created_at"], name="audit_category_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.action} · {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit journal is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit journal is append-only: entries are never deleted.")


@audited
class ApiToken(models.Model):
    """A key an integration presents as ``Authorization: Bearer <key>``.

    The key is shown once, at creation; only its SHA-256 is stored (the key is 32 random
    bytes, so a slow password hash buys nothing). ``prefix`` finds the row and is shown in
    lists so that administrators can tell tokens apart. A token acts as its creator, only
    inside its own administration, and only while the creator is an active member there.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        INTAKE = "intake", _("Intake of new cases")
        FULL = "full", _("Full access")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Optional: past this moment the key is refused, as if revoked.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["administration", "-created_at"], name="apitoken_admin_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()


from .followups.models import FollowUp  # noqa: E402, F401  (the follow-ups room: docs/design.md)
