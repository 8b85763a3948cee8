"""Written standard setting's URLs, included by exams/urls.py in the ``exams`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("staff/exams/<slug:code>/standards/", views.standards_home, name="standards"),
    path("standards/angoff/<int:pk>/", views.exercise_page, name="angoff"),
    path("standards/angoff/<int:pk>/hofstee/", views.exercise_hofstee, name="angoff_hofstee"),
    path("standards/angoff/<int:pk>/close/", views.exercise_close, name="angoff_close"),
    path("standards/angoff/<int:pk>/adopt/", views.exercise_adopt, name="angoff_adopt"),
]
