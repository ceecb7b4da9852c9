from django.urls import path

from . import views_pool

urlpatterns: list = [
    path("<int:pk>/claim/", views_pool.lead_claim, name="claim"),
    path("<int:pk>/release/", views_pool.lead_release, name="release"),
]
