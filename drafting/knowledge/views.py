"""The administrators' knowledge pages: the list, imports, reading and writing articles.

The administration is the one of the session; a role without the permission gets 403, an
article of another administration 404 (like one that does not exist).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, administration_for, requires
from accounts.models import Administration
from accounts.permissions import MANAGE_SETTINGS
from cases.selectors import topics_for

from . import selectors, services
from .forms import ArticleForm, KnowledgeUploadForm, import_uploads
from .models import KnowledgeArticle

ARTICLES_PER_PAGE = 50


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- knowledge ---------------------------------------------------------------------------------


def _article(administration: Administration, pk: int) -> KnowledgeArticle:
    article = (
        selectors.articles_readable(administration).select_related("topic").filter(pk=pk).first()
    )
    if article is None:
        raise Http404(_("No such article."))
    return article


def _knowledge_page(
    request: HttpRequest, administration: Administration, *, upload_errors=(), status=200
) -> HttpResponse:
    scope = "national" if request.GET.get("portee") == "nationale" else "own"
    articles = KnowledgeArticle.objects.select_related("topic").order_by("title", "pk")
    if scope == "national":
        articles = articles.filter(administration__isnull=True)
    else:
        articles = articles.filter(administration=administration)
    q = (request.GET.get("q") or "").strip()[:200]
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(external_id__icontains=q))
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "drafting/knowledge.html",
        {
            "page": page,
            "scope": scope,
            "q": q,
            "upload_form": KnowledgeUploadForm(),
            "upload_errors": list(upload_errors),
            "own_count": KnowledgeArticle.objects.filter(administration=administration).count(),
            "national_count": KnowledgeArticle.objects.filter(administration__isnull=True).count(),
        },
        status=status,
    )


@requires(MANAGE_SETTINGS)
@require_GET
def knowledge(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _knowledge_page(request, administration_for(request, MANAGE_SETTINGS))


@requires(MANAGE_SETTINGS)
@require_POST
def knowledge_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    form = KnowledgeUploadForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        report, errors = import_uploads(
            actor=request.user, administration=administration, files=form.cleaned_data["files"]
        )
        if report is not None:
            messages.success(
                request,
                _(
                    "Imported — new: %(created)d, updated: %(updated)d, unchanged: "
                    "%(unchanged)d, skipped: %(skipped)d."
                )
                % vars(report),
            )
            if report.skipped:
                # "skipped: 1" alone reads as a failure: say which files and why.
                messages.info(
                    request,
                    _(
                        "Skipped: service-public.fr publications that are not fiches (resources "
                        "R…); only the F… and N… fiches are imported."
                    ),
                )
            return redirect("drafting:knowledge")
    else:
        errors = [str(e) for e in form.errors.get("files", [])] or [_("Choose at least one file.")]
    return _knowledge_page(request, administration, upload_errors=errors, status=400)


@requires(MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def article_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    topics = list(topics_for(administration))
    form = ArticleForm(request.POST or None, topics=topics)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = services.article_write(
                actor=request.user,
                administration=administration,
                title=data["title"],
                body=data["body"],
                summary=data["summary"],
                source_url=data["source_url"],
                topic=next((t for t in topics if t.pk == data["topic"]), None),
                external_id=data["external_id"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Article created: drafts can use it now."))
            return redirect("drafting:article", pk=article.pk)
    return render(
        request,
        "drafting/knowledge_form.html",
        {"form": form, "article": None},
        status=400 if request.method == "POST" else 200,
    )


@requires(MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def article(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Read any visible article; edit the administration's own ones."""
    administration = administration_for(request, MANAGE_SETTINGS)
    article = _article(administration, pk)
    editable = article.administration_id == administration.pk
    if request.method == "POST" and not editable:
        raise PermissionDenied(_("National articles are read-only."))
    topics = list(topics_for(administration))
    if article.topic and article.topic not in topics:
        topics.append(article.topic)
    form = None
    status = 200
    if editable:
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "source_url": article.source_url,
            "topic": article.topic_id,
        }
        form = ArticleForm(request.POST or None, topics=topics, editing=True, initial=initial)
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.article_write(
                        actor=request.user,
                        administration=administration,
                        article=article,
                        title=data["title"],
                        body=data["body"],
                        summary=data["summary"],
                        source_url=data["source_url"],
                        topic=next((t for t in topics if t.pk == data["topic"]), None),
                    )
                except ValidationError as exc:
                    _form_errors(form, exc)
                else:
                    messages.success(request, _("Article saved."))
                    return redirect("drafting:article", pk=article.pk)
    return render(
        request,
        "drafting/knowledge_article.html",
        {
            "article": article,
            "editable": editable,
            "form": form,
            "passages": list(article.passages.all()),
        },
        status=status,
    )


@requires(MANAGE_SETTINGS)
@require_POST
def article_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    administration = administration_for(request, MANAGE_SETTINGS)
    article = _article(administration, pk)
    active = request.POST.get("active") == "1"
    try:
        services.article_retire(
            actor=request.user, administration=administration, article=article, active=active
        )
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(
        request,
        _("The article is used in drafts again.")
        if active
        else _("The article is retired: drafts no longer use it. It can be brought back."),
    )
    return redirect("drafting:article", pk=article.pk)
