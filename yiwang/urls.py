from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from yiwang.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
    path("open311/v2/", include("yiwang.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("payments/", include("yiwang.payments.urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/notices/", include("yiwang.notify.urls")),
    path("staff/classifier/", include("yiwang.classifier.urls")),
    path("staff/briefing/", include("yiwang.insights.urls")),
    path("staff/documents/", include("yiwang.documents.urls")),
    path("staff/publishing/", include("yiwang.publishing.staff_urls")),
    path("staff/imports/", include("yiwang.channels.import_urls")),
    path("staff/applications/", include("yiwang.applications.staff_urls")),
    path("staff/finance/", include("yiwang.payments.reconciliation.urls")),
    path("staff/fines/", include("yiwang.fines.staff_urls")),
    path("staff/disclosure/", include("yiwang.disclosure.staff_urls")),
    path("staff/", include("yiwang.channels.staff_urls")),
    path("staff/", include("yiwang.staff.urls")),
    path("board/", include("yiwang.publishing.board_urls")),
    path("", include("yiwang.applications.urls")),
    path("services/", include("yiwang.catalogue.urls")),
    path("fines/", include("yiwang.fines.urls")),
    path("open/", include("yiwang.disclosure.urls")),
    path("", include("yiwang.channels.urls")),
    path("", include("yiwang.intake.urls")),
    prefix_default_language=False,
)
