from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.access import public
from cases.survey.views import survey
from cases.views import home
from config.health import healthz, readyz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("compte/", include("accounts.urls")),
    path("dossiers/", include("cases.urls")),
    path("brouillons/", include("drafting.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("oidc/", include("accounts.urls_oidc")),
    path("api/v1/", include("accounts.urls_api")),
    path("api/v1/", include("cases.urls_api")),
    path("api/v1/", include("drafting.urls_api")),
    path("enquete/<str:token>/", survey, name="survey"),
    # The public-service pages linked from every page's footer.
    path("", include("config.urls_pages")),
    path(
        "api/schema/",
        public(SpectacularAPIView.as_view(), reason="the API's published description"),
        name="api-schema",
    ),
    path(
        "api/docs/",
        public(
            SpectacularSwaggerView.as_view(url_name="api-schema"),
            reason="the API's published documentation page",
        ),
        name="api-docs",
    ),
]

handler404 = "config.api.not_found"
handler500 = "config.api.server_error_response"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
