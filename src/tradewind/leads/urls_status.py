from django.urls import path

from . import views_status

urlpatterns: list = [
    path("<int:pk>/status/", views_status.lead_transition, name="transition"),
]
