"""Goals and commission pages under /reports/ (included by analytics/urls.py)."""

from django.urls import path

from . import views_goals as views

urlpatterns = [
    path("goals/", views.goals_page, name="goals"),
    path("goals/tree/", views.goal_tree, name="goal_tree"),
    path("goals/records/", views.goal_records, name="goal_records"),
    path("goals/new/", views.goal_form, name="goal_new"),
    path("goals/<int:pk>/edit/", views.goal_form, name="goal_edit"),
    path("goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path("commission/", views.commission_page, name="commission"),
    path("commission/rules/", views.rules_page, name="commission_rules"),
    path("commission/rules/new/", views.rule_form, name="commission_rule_new"),
    path("commission/rules/<int:pk>/", views.rule_form, name="commission_rule_edit"),
    path("commission/rules/<int:pk>/delete/", views.rule_delete, name="commission_rule_delete"),
    path("commission/<int:user_id>/", views.statement_page, name="commission_statement"),
]
