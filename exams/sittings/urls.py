"""Sittings' URLs, included by exams/urls.py in the ``exams`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("courses/<slug:code>/exam/sittings/<int:pk>/book/", views.booking_create, name="book"),
    path("courses/<slug:code>/exam/bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("staff/exams/<slug:code>/sittings/", views.sittings_admin, name="sittings_admin"),
    path("staff/exams/<slug:code>/accommodations/", views.accommodations_admin, name="accommodations"),
    path("staff/sittings/<int:pk>/", views.sitting_admin, name="sitting_admin"),
    path(
        "staff/sittings/<int:pk>/bookings/<int:booking>/cancel/",
        views.sitting_booking_cancel,
        name="sitting_booking_cancel",
    ),
    path("invigilate/", views.invigilate_list, name="invigilate_list"),
    path("invigilate/sittings/<int:pk>/", views.invigilate, name="invigilate"),
    path("invigilate/sittings/<int:pk>/act/", views.invigilate_act, name="invigilate_act"),
]
