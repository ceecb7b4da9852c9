from django.urls import path

from . import views, views_lists

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("settings/", views.settings_save, name="settings"),
    path("lists/", views_lists.list_index, name="lists"),
    path("lists/<int:list_id>/", views_lists.list_detail, name="list_detail"),
    path("lists/<int:list_id>/addresses/", views_lists.list_addresses, name="list_addresses"),
    path(
        "lists/<int:list_id>/addresses/<int:address_id>/remove/",
        views_lists.list_address_remove,
        name="list_address_remove",
    ),
    path("lists/<int:list_id>/delete/", views_lists.list_delete, name="list_delete"),
    path("consent/", views_lists.consent_index, name="consent"),
    path("consent/import/", views_lists.consent_import, name="consent_import"),
    path("consent/<int:consent_id>/", views_lists.consent_detail, name="consent_detail"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/schedule/", views.campaign_schedule, name="schedule"),
    path("<int:campaign_id>/cancel/", views.campaign_cancel, name="cancel"),
    path("<int:campaign_id>/delete/", views.campaign_delete, name="delete"),
    path("<int:campaign_id>/report.xlsx", views.campaign_export, name="export"),
]
