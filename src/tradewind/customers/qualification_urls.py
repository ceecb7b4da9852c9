from django.urls import path

from . import qualification_views as views

urlpatterns = [
    path("<int:pk>/qualification/", views.qualification_panel, name="qualification"),
    path("<int:pk>/nodes/", views.node_tick, name="node_tick"),
]
