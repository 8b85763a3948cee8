from django.urls import path

from . import api_key_views, views

app_name = "certification"

urlpatterns = [
    path(".well-known/did.json", views.issuer_did_document, name="did_document"),
    path("verify/", views.verify, name="verify_lookup"),
    path("verify/<str:code>/", views.verify_code, name="verify"),
    path("credentials/status/<int:number>/<str:purpose>", views.status_list_credential, name="status_list"),
    path("verify/<str:code>/credential.json", views.verify_credential, name="credential"),
    path("badges/<slug:code>/<str:name>", views.badge_image, name="badge_image"),
    path("me/certificates/", views.certificate_list, name="list"),
    path("certificates/<uuid:pk>/", views.certificate_detail, name="detail"),
    path("certificates/<uuid:pk>/pdf/", views.certificate_pdf, name="pdf"),
    path("certificates/<uuid:pk>/open-badge.json", views.certificate_badge, name="badge"),
    path("staff/certificates/", views.staff_queue, name="staff_queue"),
    path("staff/certificates/issue/", views.staff_issue, name="staff_issue"),
    path("staff/certificates/<uuid:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/certificates/<uuid:pk>/revoke/", views.staff_revoke, name="staff_revoke"),
    path("staff/certificates/<uuid:pk>/reissue/", views.staff_reissue, name="staff_reissue"),
    path("staff/certificates/<uuid:pk>/retry/", views.staff_retry, name="staff_retry"),
    path("staff/api-keys/", api_key_views.api_key_list, name="api_key_list"),
    path("staff/api-keys/new/", api_key_views.api_key_create, name="api_key_create"),
    path("staff/api-keys/<uuid:pk>/", api_key_views.api_key_detail, name="api_key_detail"),
    path("staff/api-keys/<uuid:pk>/revoke/", api_key_views.api_key_revoke, name="api_key_revoke"),
    path("staff/certificates/<uuid:pk>/resend-email/", views.staff_resend_email, name="staff_resend_email"),
]
