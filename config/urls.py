from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import urls as accounts_urls
from core import health
from core import views as core_views
from portal import urls as portal_urls
from portal import views as portal_views

# The Django admin signs in through allauth: its rate limits and second factor apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Glabella administration"
# Daily administration happens in Glabella's own pages (courses.authoring, exams.authoring,
# accounts' jurisdictions); the Django admin stays for superusers only.
admin.site.has_permission = lambda request: bool(request.user.is_active and request.user.is_superuser)

urlpatterns = [
    # For load balancers and monitoring. core.health.HealthCheckMiddleware answers these
    # two paths before the rest of the stack; the patterns give them their names.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", core_views.home, name="home"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon_ico, name="favicon_ico"),
    path(".well-known/security.txt", core_views.security_txt, name="security_txt"),
    path("dashboard/", portal_views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    # The dashboards live in portal but keep their names in the accounts namespace
    # (accounts:trainee_dashboard, ...), as before they moved.
    path("", include(([*accounts_urls.urlpatterns, *portal_urls.urlpatterns], accounts_urls.app_name))),
    path("", include("courses.urls")),
    path("", include("exams.urls")),
    path("", include("certification.urls")),
    path("api/v1/", include("certification.api_urls")),
]
