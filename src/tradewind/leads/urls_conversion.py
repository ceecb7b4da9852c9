from django.urls import path

from . import views_conversion, views_merge

urlpatterns: list = [
    path("<int:pk>/convert/", views_conversion.lead_convert, name="convert"),
    path("<int:pk>/merge/", views_merge.lead_merge, name="merge"),
]
