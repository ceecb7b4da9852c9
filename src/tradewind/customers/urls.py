from django.urls import include, path

from . import views, views_360

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:pk>/", views_360.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("", include("tradewind.customers.urls_lists")),
    path("", include("tradewind.customers.urls_pool")),
    path("", include("tradewind.customers.qualification_urls")),
    path("", include("tradewind.customers.urls_collaborators")),
]
