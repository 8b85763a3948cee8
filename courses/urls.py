from django.urls import path

from . import handson_views, views

app_name = "courses"

urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/<slug:code>/", views.course_detail, name="detail"),
    path("courses/<slug:code>/enrol/", views.enrol, name="enrol"),
    path("courses/<slug:code>/withdraw/", views.withdraw, name="withdraw"),
    path("courses/<slug:code>/learn/", views.learn, name="learn"),
    path("courses/<slug:code>/lessons/<int:lesson_id>/", views.lesson, name="lesson"),
    path("courses/<slug:code>/lessons/<int:lesson_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("courses/<slug:code>/images/<uuid:image_id>/", views.lesson_image, name="lesson_image"),
    path("teach/courses/<slug:code>/roster/", views.roster, name="roster"),
    path("teach/courses/<slug:code>/sessions/", handson_views.session_list, name="session_list"),
    path("teach/courses/<slug:code>/sessions/new/", handson_views.session_create, name="session_create"),
    path("sessions/<uuid:pk>/", handson_views.session_detail, name="session_detail"),
    path("sessions/<uuid:pk>/edit/", handson_views.session_edit, name="session_edit"),
    path("sessions/<uuid:pk>/sign/", handson_views.session_sign, name="session_sign"),
    path("sessions/<uuid:pk>/amend/", handson_views.session_amend, name="session_amend"),
    path("sessions/<uuid:pk>/reflection/", handson_views.session_reflect, name="session_reflect"),
    path("me/courses/<slug:code>/logbook/", handson_views.logbook, name="logbook"),
    path("me/courses/<slug:code>/logbook.pdf", handson_views.logbook_pdf, name="logbook_pdf"),
]
