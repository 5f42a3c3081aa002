"""The REST API: one NinjaAPI; routers live in each app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Voronka API", version="1", urls_namespace="api")
