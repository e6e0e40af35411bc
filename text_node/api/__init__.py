"""HTTP routes of the node, one module per resource."""

from fastapi import APIRouter

from . import document, edits, health, replication

router = APIRouter()
for module in (document, edits, replication, health):
    router.include_router(module.router)

__all__ = ["router"]
