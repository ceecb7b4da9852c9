from django.urls import path

from . import views_webforms

urlpatterns: list = [
    path("webforms/", views_webforms.webform_list, name="webform_list"),
    path("webforms/new/", views_webforms.webform_create, name="webform_create"),
    path("webforms/<int:pk>/", views_webforms.webform_detail, name="webform_detail"),
    path("webforms/<int:pk>/edit/", views_webforms.webform_edit, name="webform_edit"),
    path("webforms/<int:pk>/toggle/", views_webforms.webform_toggle, name="webform_toggle"),
    path(
        "webforms/<int:pk>/process-overflow/",
        views_webforms.webform_process_overflow,
        name="webform_process_overflow",
    ),
]
