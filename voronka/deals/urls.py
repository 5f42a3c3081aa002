from voronka.deals.views import board, detail, listing, process

app_name = "deals"

urlpatterns = board.urlpatterns + detail.urlpatterns + listing.urlpatterns + process.urlpatterns
