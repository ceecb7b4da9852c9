from django.urls import path

from . import views_nodes

app_name = "followup_nodes"

urlpatterns = [
    path("", views_nodes.node_list, name="list"),
    path("<int:pk>/", views_nodes.node_edit, name="edit"),
    path("<int:pk>/toggle/", views_nodes.node_toggle, name="toggle"),
    path("<int:pk>/move/", views_nodes.node_move, name="move"),
]
