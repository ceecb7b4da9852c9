from django.urls import path

from . import custom_fields_views as views

app_name = "custom_fields"

urlpatterns = [
    path("", views.custom_field_list, name="list"),
    path("<int:pk>/", views.custom_field_edit, name="edit"),
    path("<int:pk>/toggle/", views.custom_field_toggle, name="toggle"),
    path("<int:pk>/move/", views.custom_field_move, name="move"),
]
