from django.urls import path

from . import views_followups

urlpatterns: list = [
    path("followups/", views_followups.my_followups, name="my_followups"),
    path("<int:pk>/followups/", views_followups.followup_add, name="followup_add"),
]
