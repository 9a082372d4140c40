"""Top-level URLs: the portal's own pages first, the API, the admins, then Wagtail's pages
(the knowledge base and the forum) as the catch-all."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.core import health, metrics
from portal.core.views import api_not_found, page_not_found

admin.site.site_header = _("Agora administration")
admin.site.site_title = _("Agora administration")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("portal.core.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("portal.accounts.urls")),
    path("records/", include("portal.records.urls")),
    path("knowledge-tools/", include("portal.knowledge.urls")),
    path("forum-tools/", include("portal.forum.urls")),
    path("search/", include("portal.search.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

# Only public media is served straight from MEDIA_ROOT, and only in development (production's
# proxy serves the same prefixes). Knowledge documents (documents/), forum attachments
# (forum/) and complaint attachments (service-cases/) are protected: they are served by
# their guarded views alone, which ask the record kind's policy (decision 0140).
PUBLIC_MEDIA_PREFIXES = ("images/", "original_images/")

if settings.DEBUG:
    from django.views.static import serve

    urlpatterns.append(
        re_path(
            r"^%s(?P<path>(?:%s).*)$"  # noqa: UP031 (a regex, not user text)
            % (
                settings.MEDIA_URL.lstrip("/"),
                "|".join(prefix.replace("/", r"/") for prefix in PUBLIC_MEDIA_PREFIXES),
            ),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

urlpatterns.append(path("", include(wagtail_urls)))

handler404 = page_not_found
handler500 = health.server_error
