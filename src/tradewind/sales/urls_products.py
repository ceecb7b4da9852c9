from django.urls import path

from . import views_products as views

app_name = "products"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("search/", views.product_search, name="search"),
    path("import/", views.product_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("export/", views.product_export, name="export"),
    path("<int:pk>/", views.product_detail, name="detail"),
    path("<int:pk>/deactivate/", views.product_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.product_reactivate, name="reactivate"),
    path("<int:pk>/prices/", views.price_set, name="price_set"),
    path("<int:pk>/prices/delete/", views.price_delete, name="price_delete"),
]
