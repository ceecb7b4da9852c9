from django.urls import include, path

from . import views, views_data

app_name = "settings"

urlpatterns = [
    path("", views.settings_index, name="index"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("rates/", views.rates, name="rates"),
    path("numbering/", views.numbering, name="numbering"),
    path("profile/", views.profile, name="profile"),
    path("data/", views_data.data, name="data"),
    path("data/export/", views_data.export, name="export"),
    path("", include("tradewind.workspaces.urls_jobs")),
]
