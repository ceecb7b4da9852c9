from django.urls import path

from . import views

app_name = "automation"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_create, name="rule_create"),
    path("<int:pk>/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("<int:pk>/test/", views.rule_test_view, name="rule_test"),
    path("<int:pk>/runs/", views.rule_runs, name="rule_runs"),
]
