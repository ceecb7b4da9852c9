from django.urls import path

from . import views_pipelines as views

app_name = "pipelines"

urlpatterns = [
    path("", views.pipeline_list, name="list"),
    path("reorder/", views.pipeline_reorder, name="reorder"),
    path("<int:pk>/", views.pipeline_detail, name="detail"),
    path("<int:pk>/move/", views.pipeline_move, name="move"),
    path("<int:pk>/default/", views.pipeline_default, name="default"),
    path("<int:pk>/archive/", views.pipeline_archive, name="archive"),
    path("<int:pk>/stages/", views.stage_add, name="stage_add"),
    path("<int:pk>/stages/reorder/", views.stage_reorder, name="stage_reorder"),
    path("stages/<int:pk>/", views.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
    path("stages/<int:pk>/tasks/", views.task_add, name="task_add"),
    path("stages/<int:pk>/tasks/reorder/", views.task_reorder, name="task_reorder"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/move/", views.task_move, name="task_move"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("close-reasons/", views.reason_list, name="reasons"),
    path("close-reasons/reorder/", views.reason_reorder, name="reason_reorder"),
    path("close-reasons/<int:pk>/", views.reason_edit, name="reason_edit"),
    path("close-reasons/<int:pk>/toggle/", views.reason_toggle, name="reason_toggle"),
    path("close-reasons/<int:pk>/move/", views.reason_move, name="reason_move"),
]
