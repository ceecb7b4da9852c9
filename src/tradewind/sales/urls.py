from django.urls import path

from . import views

app_name = "sales"

# The list and board of opportunities stay on the "modules:opportunities" page until that issue.
urlpatterns = [
    path("<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
]
