from django.urls import path

from . import views_collaborators as views

urlpatterns: list = [
    path("<int:pk>/collaborators/", views.collaborators_panel, name="collaborators"),
    path("<int:pk>/collaborators/add/", views.collaborator_add, name="collaborator_add"),
    path(
        "<int:pk>/collaborators/<int:user_id>/remove/",
        views.collaborator_remove,
        name="collaborator_remove",
    ),
    path("<int:pk>/assign/", views.customer_assign_view, name="assign"),
]
