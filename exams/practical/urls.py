"""The practical exam's URLs, included by exams/urls.py: no app_name of their own, so
their names stay in the ``exams`` namespace (``exams:practical``, ...)."""

from django.urls import path

from . import authoring_views, views

urlpatterns = [
    path("courses/<slug:code>/practical/", views.practical_trainee, name="practical"),
    path("staff/practical/<slug:code>/", views.practical_admin, name="practical_admin"),
    path("staff/practical/assessments/<uuid:pk>/", views.assessment_manage, name="assessment_manage"),
    path("staff/practical/<slug:code>/stations/", authoring_views.stations, name="practical_stations"),
    path("staff/practical/stations/<int:station_id>/rubric/", authoring_views.rubric_edit, name="practical_rubric"),
    path("staff/practical/stations/<int:station_id>/standard/", views.standard_setting_page, name="standard_setting"),
    path("examine/assessments/<uuid:pk>/stations/<int:rubric_id>/", views.score_station, name="score_station"),
]
