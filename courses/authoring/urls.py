"""The authoring URLs, included by courses/urls.py (names in the ``courses`` namespace)."""

from django.urls import path

from . import products, views

urlpatterns = [
    path("author/courses/", views.course_list, name="author_courses"),
    path("author/courses/new/", views.course_create, name="author_course_create"),
    path("author/courses/<slug:code>/", views.course_edit, name="author_course"),
    path("author/courses/<slug:code>/modules/new/", views.module_edit, name="author_module_create"),
    path("author/courses/<slug:code>/modules/<int:module_id>/", views.module_edit, name="author_module"),
    path(
        "author/courses/<slug:code>/modules/<int:module_id>/delete/", views.module_delete, name="author_module_delete"
    ),
    path("author/courses/<slug:code>/modules/<int:module_id>/move/", views.module_move, name="author_module_move"),
    path(
        "author/courses/<slug:code>/modules/<int:module_id>/lessons/new/",
        views.lesson_edit,
        name="author_lesson_create",
    ),
    path("author/courses/<slug:code>/lessons/<int:lesson_id>/", views.lesson_edit, name="author_lesson"),
    path(
        "author/courses/<slug:code>/lessons/<int:lesson_id>/delete/", views.lesson_delete, name="author_lesson_delete"
    ),
    path("author/courses/<slug:code>/lessons/<int:lesson_id>/move/", views.lesson_move, name="author_lesson_move"),
    path("author/products/", products.product_list, name="author_products"),
    path("author/products/new/", products.product_edit, name="author_product_create"),
    path("author/products/<int:pk>/", products.product_edit, name="author_product"),
    path("author/courses/<slug:code>/images/", views.image_upload, name="author_image_upload"),
    path("author/courses/<slug:code>/runs/", views.run_list, name="author_runs"),
    path("author/courses/<slug:code>/runs/new/", views.run_edit, name="author_run_create"),
    path("author/courses/<slug:code>/runs/<int:run_id>/", views.run_edit, name="author_run"),
    path("author/courses/<slug:code>/runs/<int:run_id>/cancel/", views.run_cancel, name="author_run_cancel"),
    path("author/courses/<slug:code>/runs/<int:run_id>/roster/", views.run_roster, name="author_run_roster"),
    path("author/courses/<slug:code>/images/<uuid:image_id>/delete/", views.image_delete, name="author_image_delete"),
]
