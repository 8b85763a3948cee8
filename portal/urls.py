"""The dashboards' URLs. config/urls.py mounts them in the ``accounts`` namespace, where
they were before the dashboards moved here, so that ``accounts:trainee_dashboard`` and
the others keep their names (accounts itself does not import portal)."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.trainee_dashboard, name="trainee_dashboard"),
    path("teach/", views.instructor_dashboard, name="instructor_dashboard"),
    path("examine/", views.examiner_dashboard, name="examiner_dashboard"),
    path("staff/", views.admin_dashboard, name="admin_dashboard"),
]
