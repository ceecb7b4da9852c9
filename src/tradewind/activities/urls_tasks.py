from django.urls import path

from . import views_tasks

app_name = "tasks"

urlpatterns = [
    path("", views_tasks.my_day, name="my_day"),
    path("new/", views_tasks.task_create, name="create"),
    path("<int:pk>/edit/", views_tasks.task_edit, name="edit"),
    path("<int:pk>/complete/", views_tasks.task_complete, name="complete"),
    path("<int:pk>/reopen/", views_tasks.task_reopen, name="reopen"),
    path("<int:pk>/cancel/", views_tasks.task_cancel, name="cancel"),
]
