"""The national taxonomy of topics, shared by every administration.

Ensured after every migrate (and after a test database flush, which re-runs post_migrate), so
that it exists wherever cases do; migration 0003 created the same rows first.
"""

from cases.models import Topic
from cases.models.topics import NATIONAL_TOPICS


def ensure_national_topics(sender=None, *, using="default", **kwargs) -> None:
    existing = set(
        Topic.objects.using(using)
        .filter(administration__isnull=True)
        .values_list("slug", flat=True)
    )
    missing = [(slug, name) for slug, name, _label in NATIONAL_TOPICS if slug not in existing]
    Topic.objects.using(using).bulk_create([Topic(slug=slug, name=name) for slug, name in missing])
