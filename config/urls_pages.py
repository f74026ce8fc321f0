"""The public-service pages every page's footer links to: the accessibility statement, the
legal notice and the personal-data page. Public: they are read before signing in."""

from django.urls import path
from django.views.generic import TemplateView

from accounts.access import public

app_name = "pages"


def _page(template: str, reason: str):
    return public(TemplateView.as_view(template_name=template), reason=reason)


urlpatterns = [
    path(
        "accessibilite/",
        _page("pages/accessibility.html", "the accessibility statement is published"),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        _page("pages/legal_notice.html", "the legal notice is published"),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        _page("pages/personal_data.html", "the personal-data information is published"),
        name="personal_data",
    ),
]
