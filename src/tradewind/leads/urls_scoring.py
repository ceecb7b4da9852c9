from django.urls import path

from . import views_recycling, views_scoring

urlpatterns: list = [
    path("<int:pk>/score/", views_scoring.lead_score, name="score"),
    path("<int:pk>/grade/", views_scoring.lead_grade, name="grade"),
    path("scoring/", views_scoring.scoring_settings, name="scoring_settings"),
    path("scoring/rescore/", views_scoring.scoring_rescore, name="scoring_rescore"),
    path("scoring/rules/<int:pk>/", views_scoring.scoring_rule_edit, name="scoring_rule_edit"),
    path(
        "scoring/rules/<int:pk>/delete/",
        views_scoring.scoring_rule_delete,
        name="scoring_rule_delete",
    ),
    path("recycling/", views_recycling.recycling_preview, name="recycling_preview"),
]
