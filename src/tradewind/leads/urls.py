from django.urls import include, path

from . import views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/delete/", views.lead_delete, name="delete"),
    path("", include("tradewind.leads.urls_status")),
    path("", include("tradewind.leads.urls_pool")),
    path("", include("tradewind.leads.urls_followups")),
    path("", include("tradewind.leads.urls_conversion")),
    path("", include("tradewind.leads.urls_imports")),
    path("", include("tradewind.leads.urls_webforms")),
    path("", include("tradewind.leads.urls_assignment")),
    path("", include("tradewind.leads.urls_scoring")),
    path("", include("tradewind.leads.urls_lists")),
]
