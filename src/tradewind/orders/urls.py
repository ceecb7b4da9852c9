from django.urls import path

from . import views_quotes as views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("export/", views.quote_export, name="export"),
    path("new/", views.quote_new, name="new"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/status/", views.quote_transition, name="transition"),
    path("<int:pk>/revise/", views.quote_revise, name="revise"),
    path("<int:pk>/quotation.<str:fmt>", views.quote_document, name="quotation"),
    path("<int:pk>/lines/<int:line_id>/photo/", views.line_photo, name="line_photo"),
    path("<int:pk>/lines/<int:line_id>/photo.img", views.line_photo_file, name="line_photo_file"),
    path("<int:pk>/documents/", views.document_create, name="document_create"),
    path("documents/<int:pk>.<str:fmt>", views.document_file, name="document"),
]
