"""Library pages under /library/ (mounted in config/urls.py): items, folders, the suggestion panel
of records, deal reviews, the monthly review and the usage report."""

from django.urls import path

from . import views_library as lib
from . import views_reviews as rev

app_name = "enablement"

urlpatterns = [
    path("", lib.library_index, name="library"),
    path("items/new/", lib.item_new, name="item_new"),
    path("items/<int:pk>/", lib.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", lib.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", lib.item_delete, name="item_delete"),
    path("items/<int:pk>/file/", lib.item_file, name="item_file"),
    path("items/<int:pk>/use/", lib.item_use, name="item_use"),
    path("items/<int:pk>/email/", lib.item_email, name="item_email"),
    path("folders/new/", lib.folder_new, name="folder_new"),
    path("folders/<int:pk>/edit/", lib.folder_edit, name="folder_edit"),
    path("folders/<int:pk>/delete/", lib.folder_delete, name="folder_delete"),
    path("suggest/<str:target_type>/<int:target_id>/", rev.suggest_panel, name="suggest_panel"),
    path("usage/", rev.usage_report, name="usage_report"),
    path("reviews/monthly/", rev.monthly_review, name="monthly_review"),
    path("reviews/new/<int:opportunity_id>/", rev.review_new, name="review_new"),
    path("reviews/<int:pk>/edit/", rev.review_edit, name="review_edit"),
]
