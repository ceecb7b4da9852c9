from django.urls import path

from . import views, views_lists

app_name = "sales"

urlpatterns = [
    path("", views.opportunity_list_page, name="list"),
    path("new/", views.opportunity_create, name="create"),
    path("customers/search/", views.customer_search, name="customer_search"),
    path("contacts/", views.contact_options, name="contact_options"),
    path("bulk/", views_lists.opportunity_bulk, name="bulk"),
    path("export/", views_lists.opportunity_export, name="export"),
    path("views/save/", views_lists.view_save, name="view_save"),
    path("views/<int:pk>/delete/", views_lists.view_delete, name="view_delete"),
    path("<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
    path("<int:pk>/checklist/", views.opportunity_checklist, name="checklist"),
    path("<int:pk>/close/", views.opportunity_close, name="close"),
    path("<int:pk>/reopen/", views.opportunity_reopen, name="reopen"),
    path("<int:pk>/delete/", views.opportunity_delete, name="delete"),
]
