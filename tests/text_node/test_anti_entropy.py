"""Anti-entropy on its own: what a peer's answer to the sync exchange does to this node."""

from typing import Any

import pytest

from text_node.anti_entropy import AntiEntropy
from text_node.db import migrate, node_database
from text_node.durable import DurableReplica
from text_node.outbox import Outbox
from text_node.transport import PeerUnreachable, Transport

from ..conftest import reset_node_database
from .conftest import node_settings


async def test_a_peer_answering_junk_is_a_failing_link_not_a_dead_loop(
    database_url: str,
) -> None:
    await reset_node_database(database_url)
    settings = node_settings(database_url, peers="1=http://b.test")
    await migrate(settings)
    db = node_database(settings)
    await db.open()
    durable = DurableReplica(settings, db, Outbox(settings, db), now_ms=lambda: 1)

    async def junk(method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        return 200, b'{"versions": [{"diff": "AAECAwQ="}], "watermark": {}}'

    transport = Transport(peers=settings.peer_urls, analytics_url="", send=junk)
    try:
        with pytest.raises(PeerUnreachable, match="испорченное обновление"):
            await AntiEntropy(durable, transport).exchange(1)
        assert durable.replica.opset.state_vector() == b"\x00"  # nothing taken from it
    finally:
        await db.close()
