"""`/api/document/*`: the current text, initialisation, and every version."""

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from crdt_core import EditStatus

from ..deps import NodeDep, OperatorDep, SessionDep, SettingsDep
from ..events import iso
from ..schemas import (
    AuthorRun,
    AuthorshipResponse,
    DocumentResponse,
    InitRequest,
    InitResponse,
    VersionEntry,
    VersionList,
)
from ..service import author
from ..settings import NODE_NAMES

router = APIRouter(prefix="/api/document", tags=["document"], dependencies=[SessionDep])


def rendered(body: BaseModel) -> Response:
    """`body` as JSON, byte for byte what FastAPI would send, by orjson: the text runs to
    megabytes, and json.dumps takes 6 ms for a million Cyrillic characters where orjson
    takes 0.3 (one GET of a 1 MB document held the event loop that long)."""
    return Response(orjson.dumps(body.model_dump()), media_type="application/json")


@router.get("/current", response_model=DocumentResponse)
async def current(node: NodeDep, settings: SettingsDep) -> Response:
    """The last committed version of the document (spec FR 6), with the token budget so that
    an agent can stop before spending tokens the budget cannot cover."""
    view = node.view
    used, limit = await node.budget()
    body = DocumentResponse(
        budget_used=used,
        budget_limit=limit,
        version=view.version,
        text=view.text,
        timestamp=view.timestamp,
        document_id=view.document_id,
        version_key=view.version_key,
        topic=view.topic,
        node=settings.name,
    )
    return rendered(body)


@router.post("/init", response_model=InitResponse, status_code=201)
async def init(
    body: InitRequest, node: NodeDep, settings: SettingsDep, operator: OperatorDep
) -> InitResponse:
    """Start a new document on every node, replacing the previous one (spec FR 7)."""
    op = await node.init_document(topic=body.topic, text=body.initial_text, edit_id=body.edit_id)
    return InitResponse(document_id=op.document_id, version=1, node=settings.name)


@router.get("/versions", response_model=VersionList)
async def versions(
    node: NodeDep,
    limit: int = Query(default=50, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> VersionList:
    """Versions of the current document, newest first, with the edit that made each."""
    async with node.locked():
        fold = node.fold()
        newest = fold.version - offset
        entries = []
        for version in range(newest, max(0, newest - limit), -1):
            op = fold.op_at(version)
            entries.append(
                VersionEntry(
                    version=version,
                    version_key=op.key,
                    edit_id=op.edit_id,
                    agent_id=author(op),
                    kind=op.kind.value,
                    status=(fold.status(op.edit_id) or EditStatus.ACCEPTED).value,
                    tokens_used=op.tokens_used,
                    node=NODE_NAMES[op.origin],
                    timestamp=iso(op.ts),
                )
            )
        return VersionList(document_id=fold.document_id, total=fold.version, versions=entries)


@router.get("/versions/{version}", response_model=DocumentResponse)
async def version(version: int, node: NodeDep, settings: SettingsDep) -> Response:
    """The text of any version (replayed from the op set)."""
    async with node.locked():
        fold = node.fold()
        op = fold.op_at(version)  # checks `version`
        body = DocumentResponse(
            version=version,
            text=fold.text_at(version),
            timestamp=iso(op.ts),
            document_id=fold.document_id,
            version_key=op.key,
            topic=fold.topic,
            node=settings.name,
        )
    return rendered(body)


@router.get("/authorship", response_model=AuthorshipResponse)
async def authorship(
    node: NodeDep,
    settings: SettingsDep,
    version: int | None = Query(default=None, ge=1, description="default: the current version"),
) -> Response:
    """Who wrote each character of a version: the fold's character ids name the edit that
    inserted every one of them, so the runs are exact, not guessed from diffs."""
    async with node.locked():
        fold = node.fold()
        runs = []
        for run in fold.authorship(version):  # checks `version`
            op = fold.op_at(run.version)
            runs.append(
                AuthorRun(
                    start=run.start,
                    end=run.end,
                    edit_id=run.edit_id,
                    agent_id=author(op),
                    kind=op.kind.value,
                    version=run.version,
                    timestamp=iso(op.ts),
                )
            )
        body = AuthorshipResponse(
            document_id=fold.document_id,
            version=fold.version if version is None else version,
            node=settings.name,
            text=fold.text if version is None else fold.text_at(version),
            runs=runs,
        )
    return rendered(body)
