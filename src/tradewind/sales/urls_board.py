from django.urls import path

from . import views_board

app_name = "board"

urlpatterns = [
    path("", views_board.board_index, name="index"),
    path("<int:pk>/move/", views_board.board_move, name="move"),
    path("<int:pk>/close/", views_board.board_close, name="close"),
]
