from django.urls import path

from . import views_lists

urlpatterns = [
    path("bulk/", views_lists.lead_bulk, name="bulk"),
    path("export/", views_lists.lead_export, name="export"),
    path("views/save/", views_lists.view_save, name="view_save"),
    path("views/<int:pk>/delete/", views_lists.view_delete, name="view_delete"),
]
