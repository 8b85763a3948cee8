from django.urls import include, path

from . import authoring_views, views

app_name = "exams"

urlpatterns = [
    path("courses/<slug:code>/exam/", views.exam_home, name="home"),
    path("courses/<slug:code>/exam/start/", views.attempt_start, name="start"),
    path("attempts/<uuid:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<uuid:pk>/page/<int:page>/", views.attempt_page, name="page"),
    path("attempts/<uuid:pk>/save/", views.attempt_save, name="save"),
    path("attempts/<uuid:pk>/autosave/", views.attempt_autosave, name="autosave"),
    path("attempts/<uuid:pk>/summary/", views.attempt_summary, name="summary"),
    path("attempts/<uuid:pk>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<uuid:pk>/result/", views.attempt_result, name="result"),
    path("staff/exams/<slug:code>/analysis/", views.item_analysis, name="analysis"),
    path("staff/exams/<slug:code>/analysis.csv", views.item_analysis_csv, name="analysis_csv"),
    path("staff/exams/<slug:code>/bank/", views.question_bank, name="bank"),
    path("staff/exams/<slug:code>/bank/export.<str:fmt>", views.question_bank_export, name="bank_export"),
    path("staff/exams/<slug:code>/settings/", authoring_views.exam_settings_edit, name="settings"),
    path("", include("exams.practical.urls")),
    path("", include("exams.sittings.urls")),
    path("", include("exams.standards.urls")),
]
