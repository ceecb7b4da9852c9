from django.urls import path

from . import views_comments

app_name = "comments"

urlpatterns = [
    path("<slug:target_type>/<int:target_id>/", views_comments.comment_panel, name="panel"),
    path("<int:pk>/edit/", views_comments.comment_edit, name="edit"),
    path("<int:pk>/delete/", views_comments.comment_delete, name="delete"),
]
