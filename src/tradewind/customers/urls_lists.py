from django.urls import path

from . import imports_views, views_lists

urlpatterns = [
    path("bulk/", views_lists.customer_bulk, name="bulk"),
    path("export/", views_lists.customer_export, name="export"),
    path("views/save/", views_lists.view_save, name="view_save"),
    path("views/<int:pk>/delete/", views_lists.view_delete, name="view_delete"),
    path("imports/", imports_views.import_list, name="import_list"),
    path("imports/template/", imports_views.import_template, name="import_template"),
    path("imports/<int:pk>/", imports_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/run/", imports_views.import_run, name="import_run"),
    path("imports/<int:pk>/undo/", imports_views.import_undo, name="import_undo"),
    path("imports/<int:pk>/errors/", imports_views.import_errors, name="import_errors"),
]
