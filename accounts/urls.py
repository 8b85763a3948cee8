from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.trainee_dashboard, name="trainee_dashboard"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/licences/", views.licence_list, name="licence_list"),
    path("me/licences/new/", views.licence_create, name="licence_create"),
    path("licences/<uuid:pk>/", views.licence_detail, name="licence_detail"),
    path("licences/<uuid:pk>/document/", views.licence_document, name="licence_document"),
    path("teach/", views.instructor_dashboard, name="instructor_dashboard"),
    path("examine/", views.examiner_dashboard, name="examiner_dashboard"),
    path("staff/", views.admin_dashboard, name="admin_dashboard"),
    path("staff/licences/", views.licence_queue, name="licence_queue"),
    path("staff/licences/<uuid:pk>/", views.licence_review, name="licence_review"),
    path("staff/licences/<uuid:pk>/revoke/", views.licence_revoke, name="licence_revoke"),
    path("staff/jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("staff/jurisdictions/new/", views.jurisdiction_edit, name="jurisdiction_create"),
    path("staff/jurisdictions/<int:pk>/", views.jurisdiction_edit, name="jurisdiction_edit"),
]
