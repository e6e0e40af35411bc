"""`/api/edits`: agents' edits in (spec FR 3, 8, 9) and the edit history out (FR 15)."""

import uuid

from fastapi import APIRouter, Query, Response

from service_kit import ApiError

from ..deps import AgentDep, NodeDep, SessionDep, SettingsDep
from ..edits import EditRequest as EditInput
from ..schemas import EditEntry, EditPage, EditRequest, EditResponse
from ..settings import NODE_NAMES

router = APIRouter(prefix="/api/edits", tags=["edits"], dependencies=[SessionDep])


@router.post("", response_model=EditResponse, status_code=201)
async def post_edit(
    body: EditRequest,
    response: Response,
    agent: AgentDep,
    node: NodeDep,
    settings: SettingsDep,
) -> EditResponse:
    """Accept (201) or reject (200, stale read) an edit; 429 when the budget is exhausted.

    Idempotent on `edit_id`: a retry returns what became of the first attempt.
    """
    if body.agent_id != agent:
        raise ApiError(
            403,
            "forbidden",
            f"agent_id {body.agent_id!r} не совпадает с владельцем токена",
            field="agent_id",
        )
    submitted = await node.submit_edit(
        EditInput(
            edit_id=body.edit_id or str(uuid.uuid4()),
            agent_id=body.agent_id,
            position=body.position,
            text=body.proposed_text,
            tokens_used=body.tokens_used,
            base_version=body.base_version,
            base_version_key=body.base_version_key,
            document_id=body.document_id,
            cycle_ms=body.cycle_ms,
        )
    )
    outcome, op = submitted.outcome, submitted.outcome.op
    if outcome.status == "rejected":
        response.status_code = 200
    return EditResponse(
        edit_id=op.edit_id,
        status=outcome.status,
        version=outcome.version,
        document_id=op.document_id,
        version_key=op.key,
        node=NODE_NAMES[op.origin],
        base_version=op.base_version,
        reason=rejection_code(outcome.status),
        message=op.reason,
        acknowledged_by=submitted.acknowledged_by,
    )


def rejection_code(status: str) -> str:
    """The machine code of a rejection: the only one a node records is a stale read; the
    record's `reason` column holds its Russian explanation."""
    return "conflict" if status == "rejected" else ""


@router.get("", response_model=EditPage)
async def list_edits(
    node: NodeDep,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=2**31 - 1),  # beyond PostgreSQL's integer: a 500
    status: str | None = Query(default=None, pattern="^(accepted|rejected|superseded|pending)$"),
    agent_id: str | None = Query(default=None, max_length=100),
) -> EditPage:
    """The current document's edits, newest first, with their status (spec FR 15)."""
    rows, total = await node.list_edits(
        limit=limit, offset=offset, status=status, agent_id=agent_id
    )
    return EditPage(
        edits=[
            EditEntry(
                edit_id=str(row["edit_id"]),
                agent_id=row["agent_id"],
                proposed_text=row["proposed_text"],
                position=row["position"],
                tokens_used=row["tokens_used"],
                status=row["status"],
                created_at=row["created_at"].isoformat(timespec="milliseconds"),
                node=NODE_NAMES[row["node"]],
                version_key=row["version_key"],
                base_version=row["base_version"],
                version=node.version_of_key(row["version_key"]),
                reason=rejection_code(row["status"]),
                message=row["reason"],
            )
            for row in rows
        ],
        total=total,
        limit=limit,
        offset=offset,
    )
