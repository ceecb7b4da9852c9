from django.urls import path

from . import views, views_compose

app_name = "mailing"

urlpatterns = [
    path("", views.index, name="index"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_create, name="template_new"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:email_template_id>/", views.template_edit, name="template_edit"),
    path(
        "templates/<int:email_template_id>/delete/",
        views.template_delete,
        name="template_delete",
    ),
    path("account/", views.account_page, name="account"),
    path("workspace-account/", views.workspace_account_page, name="workspace_account"),
    path("accounts/<int:mail_account_id>/test/", views.account_test, name="account_test"),
    path("accounts/<int:mail_account_id>/poll/", views.account_poll, name="account_poll"),
    path("accounts/<int:mail_account_id>/delete/", views.account_delete, name="account_delete"),
    path("unmatched/", views.unmatched, name="unmatched"),
    path("messages/<int:email_id>/", views.message, name="message"),
    path("send/lead/<int:lead_id>/", views_compose.compose_lead, name="compose_lead"),
    path(
        "send/customer/<int:customer_id>/",
        views_compose.compose_customer,
        name="compose_customer",
    ),
    path("send/contact/<int:contact_id>/", views_compose.compose_contact, name="compose_contact"),
    path(
        "send/opportunity/<int:opportunity_id>/",
        views_compose.compose_opportunity,
        name="compose_opportunity",
    ),
]
