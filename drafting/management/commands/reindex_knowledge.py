import time

from django.core.management.base import BaseCommand

from drafting.knowledge.index import search_index_article
from drafting.models import KnowledgeArticle


class Command(BaseCommand):
    help = (
        "Rebuild the BM25 index of every knowledge article (after a change of the French "
        "normalisation in drafting/knowledge/text.py: stop words, lexicon). Imports of unchanged "
        "fiches do not re-index them. Vectors are kept (their text did not change)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        postings = articles = 0
        for article in KnowledgeArticle.objects.order_by("pk").iterator(chunk_size=200):
            postings += search_index_article(article=article)
            articles += 1
        self.stdout.write(
            f"{articles} articles re-indexed, {postings} postings, "
            f"in {time.perf_counter() - started:.1f} s."
        )
