"""The REST API: one NinjaAPI; routers live in each app's api.py."""

from ninja import NinjaAPI

from voronka.api.auth import ActiveSessionAuth, docs_login_required, token_auth
from voronka.api.handlers import register_handlers
from voronka.api.renderer import FastJSONRenderer

api = NinjaAPI(
    title="Voronka API",
    version="1",
    urls_namespace="api",
    auth=[token_auth, ActiveSessionAuth()],
    docs_decorator=docs_login_required,
    renderer=FastJSONRenderer(),
)
register_handlers(api)

from voronka.accounts.api import router as accounts_router  # noqa: E402
from voronka.activities.api import router as activities_router  # noqa: E402
from voronka.contacts.api import router as contacts_router  # noqa: E402
from voronka.deals.api import process_router  # noqa: E402
from voronka.deals.api import router as deals_router  # noqa: E402
from voronka.forecasting.api import router as forecast_router  # noqa: E402

api.add_router("/deals/", deals_router)
api.add_router("/", contacts_router)
api.add_router("/", activities_router)
api.add_router("/", accounts_router)
api.add_router("/forecast/", forecast_router)
api.add_router("/", process_router)
