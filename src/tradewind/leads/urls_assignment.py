from django.urls import path

from . import views_assignment

urlpatterns: list = [
    path("assignment-rules/", views_assignment.rule_list, name="assignment_rules"),
    path("assignment-rules/new/", views_assignment.rule_create, name="assignment_rule_create"),
    path(
        "assignment-rules/<int:pk>/edit/", views_assignment.rule_edit, name="assignment_rule_edit"
    ),
    path(
        "assignment-rules/<int:pk>/delete/",
        views_assignment.rule_delete,
        name="assignment_rule_delete",
    ),
    path(
        "assignment-rules/<int:pk>/move/", views_assignment.rule_move, name="assignment_rule_move"
    ),
    path("<int:pk>/assign/", views_assignment.lead_assign, name="assign"),
    path(
        "<int:pk>/assignment-trial/",
        views_assignment.lead_assignment_trial,
        name="assignment_trial",
    ),
]
