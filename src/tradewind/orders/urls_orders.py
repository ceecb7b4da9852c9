from django.urls import path

from . import views_orders as views

app_name = "orders"

urlpatterns = [
    path("", views.order_list_page, name="list"),
    path("export/", views.order_export, name="export"),
    path("create/", views.order_create, name="create"),
    path("overdue/", views.overdue_page, name="overdue"),
    path("receipts/", views.receipts_page, name="receipts"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/status/", views.order_transition, name="transition"),
    path("<int:pk>/shipments/new/", views.shipment_new, name="shipment_new"),
    path("<int:pk>/receipts/new/", views.receipt_new, name="receipt_new"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
]
