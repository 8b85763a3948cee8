from django.urls import include, path

from . import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
    path("me/courses/", views.my_courses, name="my_courses"),
    path("courses/<slug:code>/", views.course_detail, name="detail"),
    path("courses/<slug:code>/enrol/", views.enrol, name="enrol"),
    path("courses/<slug:code>/withdraw/", views.withdraw, name="withdraw"),
    path("courses/<slug:code>/learn/", views.learn, name="learn"),
    path("courses/<slug:code>/lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("courses/<slug:code>/lessons/<int:lesson_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("courses/<slug:code>/images/<uuid:image_id>/", views.lesson_image, name="lesson_image"),
    path("teach/courses/<slug:code>/roster/", views.roster, name="roster"),
    path("", include("courses.handson.urls")),
    path("", include("courses.authoring.urls")),
]
