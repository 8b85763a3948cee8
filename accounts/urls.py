from django.urls import path

from . import views

app_name = "accounts"

# The dashboards (accounts:trainee_dashboard, accounts:instructor_dashboard,
# accounts:examiner_dashboard, accounts:admin_dashboard) are portal's views, mounted in
# this namespace by config/urls.py.

urlpatterns = [
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/licences/", views.licence_list, name="licence_list"),
    path("me/licences/new/", views.licence_create, name="licence_create"),
    path("licences/<uuid:pk>/", views.licence_detail, name="licence_detail"),
    path("licences/<uuid:pk>/document/", views.licence_document, name="licence_document"),
    path("staff/licences/", views.licence_queue, name="licence_queue"),
    path("staff/licences/<uuid:pk>/", views.licence_review, name="licence_review"),
    path("staff/licences/<uuid:pk>/revoke/", views.licence_revoke, name="licence_revoke"),
    path("me/name-change/", views.name_change_create, name="name_change_create"),
    path("me/name-change/<uuid:pk>/withdraw/", views.name_change_withdraw, name="name_change_withdraw"),
    path("name-changes/<uuid:pk>/document/", views.name_change_document, name="name_change_document"),
    path("staff/name-changes/", views.name_change_queue, name="name_change_queue"),
    path("staff/name-changes/<uuid:pk>/", views.name_change_review, name="name_change_review"),
    path("staff/jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("staff/jurisdictions/new/", views.jurisdiction_edit, name="jurisdiction_create"),
    path("staff/jurisdictions/<int:pk>/", views.jurisdiction_edit, name="jurisdiction_edit"),
]
