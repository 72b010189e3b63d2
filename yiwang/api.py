"""The HTTP API: every app's ninja router, mounted under /api/v1; OpenAPI at /api/docs."""

from ninja import NinjaAPI

from yiwang.apierrors import install_error_handlers
from yiwang.channels.api import router as channels_router
from yiwang.intake.api import router as intake_router
from yiwang.orgs.api import router as orgs_router
from yiwang.payments.api import router as payments_router
from yiwang.publishing.api import router as publishing_router
from yiwang.staff.api import router as staff_router

api = NinjaAPI(
    title="yiwang API",
    version="1",
    description=(
        "Citizen messages, organisations, the staff desk and the payment platform of yiwang (一网)."
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/v1", intake_router)
api.add_router("/v1", orgs_router)
api.add_router("/v1", channels_router)
api.add_router("/v1/staff", staff_router)
api.add_router("/v1/public", publishing_router)
api.add_router("/v1", payments_router)
