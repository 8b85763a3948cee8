"""The hands-on pages, included from ``courses.urls`` into the ``courses`` namespace."""

from django.urls import path

from . import review_views, views

urlpatterns = [
    path("teach/courses/<slug:code>/sessions/", views.session_list, name="session_list"),
    path("teach/courses/<slug:code>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<uuid:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<uuid:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:pk>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<uuid:pk>/amend/", views.session_amend, name="session_amend"),
    path("sessions/<uuid:pk>/reflection/", views.session_reflect, name="session_reflect"),
    path("me/courses/<slug:code>/logbook/", views.logbook, name="logbook"),
    path("me/courses/<slug:code>/logbook.pdf", views.logbook_pdf, name="logbook_pdf"),
    path("sessions/<uuid:pk>/review/new/", review_views.review_create, name="review_create"),
    path("reviews/<uuid:pk>/", review_views.review_detail, name="review_detail"),
    path("reviews/<uuid:pk>/edit/", review_views.review_edit, name="review_edit"),
    path("reviews/<uuid:pk>/sign/", review_views.review_sign, name="review_sign"),
]
