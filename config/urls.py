from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

# The Django admin signs in through allauth: its rate limits and second factor apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Glabella administration"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dashboard/", core_views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("courses.urls")),
    path("", include("exams.urls")),
    path("", include("certification.urls")),
]
