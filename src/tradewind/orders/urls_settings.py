from django.urls import path

from . import views_settings as views

app_name = "documents_settings"

urlpatterns = [
    path("", views.documents_settings, name="index"),
    path("chop.img", views.chop_file, name="chop"),
    path("payment-terms/", views.payment_term_add, name="payment_term_add"),
    path("payment-terms/<int:pk>/", views.payment_term_edit, name="payment_term_edit"),
]
