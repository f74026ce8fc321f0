"""The public-service pages every page's footer links to: the accessibility statement, the
legal notice and the personal-data page. Public: they are read before signing in."""

from django.conf import settings
from django.urls import path
from django.views.generic import TemplateView

from accounts.access import public

app_name = "pages"


def _page(template: str, reason: str):
    return public(TemplateView.as_view(template_name=template), reason=reason)


class LegalNoticeView(TemplateView):
    """The legal notice, with the publisher, director of publication and host the operator
    set (settings ``LEGAL_*``)."""

    template_name = "pages/legal_notice.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["legal"] = {
            "publisher": settings.LEGAL_PUBLISHER,
            "publisher_address": settings.LEGAL_PUBLISHER_ADDRESS,
            "director": settings.LEGAL_PUBLICATION_DIRECTOR,
            "host": settings.LEGAL_HOST,
        }
        return context


urlpatterns = [
    path(
        "accessibilite/",
        _page("pages/accessibility.html", "the accessibility statement is published"),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        public(LegalNoticeView.as_view(), reason="the legal notice is published"),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        _page("pages/personal_data.html", "the personal-data information is published"),
        name="personal_data",
    ),
]
