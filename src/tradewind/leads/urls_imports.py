from django.urls import path

from . import views_imports

urlpatterns: list = [
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/new/", views_imports.import_upload, name="import_upload"),
    path("imports/template.xlsx", views_imports.import_template_xlsx, name="import_template_xlsx"),
    path("imports/template.csv", views_imports.import_template_csv, name="import_template_csv"),
    path("imports/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/preview/", views_imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/start/", views_imports.import_start, name="import_start"),
    path("imports/<int:pk>/errors.csv", views_imports.import_errors, name="import_errors"),
    path("imports/<int:pk>/undo/", views_imports.import_undo, name="import_undo"),
]
