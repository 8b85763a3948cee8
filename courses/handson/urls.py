"""The hands-on pages, included from ``courses.urls`` into the ``courses`` namespace."""

from django.urls import path

from . import consultation_views, views

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
]
