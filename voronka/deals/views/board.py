from django.urls import path

from voronka.web.stub import not_built

urlpatterns = [
    path("board/", not_built, name="board_default"),
    path("board/<int:pipeline_id>/", not_built, name="board"),
]
