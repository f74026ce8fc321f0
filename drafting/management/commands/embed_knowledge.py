import time

from django.core.management.base import BaseCommand, CommandError

from drafting.knowledge import embeddings
from drafting.models import KnowledgeArticle


class Command(BaseCommand):
    help = (
        "Compute the vectors of the knowledge base's passages and units with the configured "
        "backend (DRAFTING_EMBEDDINGS), in this process. With --missing-only, only the active "
        "articles that lack some (a backend that was down, a new model); without, all of them "
        "are recomputed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--missing-only", action="store_true")

    def handle(self, *args, missing_only: bool, **options):
        backend = embeddings.get_backend()
        if backend is None:
            raise CommandError("Embeddings are off (DRAFTING_EMBEDDINGS is empty or incomplete).")
        if missing_only:
            articles = embeddings.articles_missing_vectors(backend.model_name)
        else:
            articles = KnowledgeArticle.objects.filter(is_active=True)
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        started = time.perf_counter()
        vectors = failed = 0
        for number, article_id in enumerate(ids, start=1):
            try:
                vectors += embeddings.embed_article(article_id, refresh=not missing_only)
            except embeddings.EmbeddingsUnavailable as exc:
                failed += 1
                self.stderr.write(f"Article {article_id}: {exc}")
            if number % 50 == 0:
                self.stdout.write(f"  {number}/{len(ids)} articles…")
        self.stdout.write(
            f"{len(ids)} articles, {vectors} vectors computed with {backend.model_name} "
            f"in {time.perf_counter() - started:.1f} s"
            + (f"; {failed} failed (run again with --missing-only)." if failed else ".")
        )
        if failed:
            raise CommandError(f"{failed} articles could not be embedded.")
