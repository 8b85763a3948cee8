"""The hands-on pages, included from ``courses.urls`` into the ``courses`` namespace."""

from django.urls import path

from . import consultation_views, mentor_views, review_views, views

urlpatterns = [
    path("teach/courses/<slug:code>/sessions/", views.session_list, name="session_list"),
    path("teach/courses/<slug:code>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<uuid:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:pk>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<uuid:pk>/amend/", views.session_amend, name="session_amend"),
    path("sessions/<uuid:pk>/reflection/", views.session_reflect, name="session_reflect"),
    path("me/courses/<slug:code>/logbook/", views.logbook, name="logbook"),
    path("logbooks/<uuid:pk>/pdf/", views.logbook_pdf, name="logbook_pdf"),
    path("logbooks/<uuid:pk>/pdf/status/", views.logbook_pdf_status, name="logbook_pdf_status"),
    path("sessions/<uuid:pk>/consultation/", consultation_views.consultation_edit, name="consultation_edit"),
    path(
        "sessions/<uuid:pk>/consultation/resolve/",
        consultation_views.consultation_resolve,
        name="consultation_resolve",
    ),
    path("sessions/<uuid:pk>/photos/", consultation_views.photo_add, name="photo_add"),
    path("photos/<uuid:pk>/", consultation_views.photo_file, name="photo_file"),
    path("photos/<uuid:pk>/delete/", consultation_views.photo_delete, name="photo_delete"),
    path("sessions/<uuid:pk>/review/new/", review_views.review_create, name="review_create"),
    path("reviews/<uuid:pk>/", review_views.review_detail, name="review_detail"),
    path("reviews/<uuid:pk>/edit/", review_views.review_edit, name="review_edit"),
    path("reviews/<uuid:pk>/sign/", review_views.review_sign, name="review_sign"),
]

# Mentors and external sign-off (courses.handson.mentor_views).
urlpatterns += [
    path("me/mentors/", mentor_views.mentor_list, name="mentor_list"),
    path("me/courses/<slug:code>/mentor-cases/new/", mentor_views.mentor_case_create, name="mentor_case_create"),
    path("me/mentor-cases/<uuid:pk>/", mentor_views.mentor_case, name="mentor_case"),
    path("me/mentor-cases/<uuid:pk>/edit/", mentor_views.mentor_case_edit, name="mentor_case_edit"),
    path("me/mentor-cases/<uuid:pk>/send/", mentor_views.mentor_case_send, name="mentor_case_send"),
    path("me/mentor-cases/<uuid:pk>/code/", mentor_views.mentor_case_code, name="mentor_case_code"),
    path("me/mentor-cases/<uuid:pk>/sign-here/", mentor_views.mentor_case_sign_here, name="mentor_case_sign_here"),
    path("me/mentor-cases/<uuid:pk>/withdraw/", mentor_views.mentor_case_withdraw, name="mentor_case_withdraw"),
    path("staff/mentors/", mentor_views.mentor_queue, name="mentor_queue"),
    path("staff/mentors/<uuid:pk>/", mentor_views.mentor_review, name="mentor_review"),
    path("signoff/<str:token>/", mentor_views.signoff, name="signoff"),
]
