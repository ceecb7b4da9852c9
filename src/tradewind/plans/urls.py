"""Step plan pages under /plans/: the templates (settings) and the record panels' actions."""

from django.urls import path

from . import views, views_runs

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_edit, name="edit"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/steps/new/", views.step_new, name="step_new"),
    path("steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("steps/<int:pk>/move/", views.step_move, name="step_move"),
    path("customer/<int:pk>/", views_runs.customer_panel, name="customer_panel"),
    path("opportunity/<int:pk>/", views_runs.opportunity_panel, name="opportunity_panel"),
    path("runs/<int:pk>/pause/", views_runs.run_action, {"action": "pause"}, name="run_pause"),
    path("runs/<int:pk>/resume/", views_runs.run_action, {"action": "resume"}, name="run_resume"),
    path("runs/<int:pk>/stop/", views_runs.run_action, {"action": "stop"}, name="run_stop"),
]
