from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .models import OPEN_STATUSES, Status
from .selectors import cases_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in home: the counts of the current administration's boxes."""
    administration = request.administration
    counts = {}
    if administration:
        counts = (
            cases_visible_to(request.user)
            .filter(administration=administration)
            .aggregate(
                mine=Count("pk", filter=Q(assignee=request.user, status__in=OPEN_STATUSES)),
                queue=Count("pk", filter=Q(status=Status.NEW)),
                overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())),
            )
        )
    return render(request, "cases/home.html", {"counts": counts})
