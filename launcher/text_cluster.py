"""Three Text Service nodes as processes on loopback, each with its own database."""

from pathlib import Path

from .postgres_cluster import PostgresCluster
from .service_process import ServiceProcess

NODE_NAMES = ("a", "b", "c")


def text_node_processes(
    databases: list[str],
    ports: list[int],
    reader_ports: list[int] | None = None,
    /,
    *,
    logs: Path,
    service_token: str,
    agent_tokens: str,
    prefix: str = "node",
    **env: str,
) -> list[ServiceProcess]:
    """Processes (not started) for nodes a, b, c on `ports`, using the database URLs given;
    with `reader_ports`, each starts its reader process there (`text_node.reader`)."""
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    nodes = []
    for index, name in enumerate(NODE_NAMES):
        peers = ",".join(f"{i}={urls[i]}" for i in range(3) if i != index)
        nodes.append(
            ServiceProcess(
                f"{prefix}-{name}",
                "text_node",
                env={
                    "TEXT_NODE_NODE": str(index),
                    "TEXT_NODE_PORT": str(ports[index]),
                    "TEXT_NODE_READER_PORT": str(reader_ports[index] if reader_ports else 0),
                    "TEXT_NODE_DATABASE_URL": databases[index],
                    "TEXT_NODE_PEERS": peers,
                    "TEXT_NODE_SERVICE_TOKEN": service_token,
                    "TEXT_NODE_AGENT_TOKENS": agent_tokens,
                    **env,
                },
                health_url=f"{urls[index]}/health",
                log_path=logs / f"{prefix}-{name}.log",
            )
        )
    return nodes


def start_all(processes: list[ServiceProcess], wait_s: float = 30.0) -> None:
    """Start every process, then wait for all to be healthy (they catch up from each other)."""
    for process in processes:
        process.start(healthy=False)
    for process in processes:
        process.wait_healthy(wait_s)


def databases_on(pg: PostgresCluster, prefix: str) -> list[str]:
    """One database per node on a shared cluster (tests and benchmarks)."""
    urls = []
    for name in NODE_NAMES:
        pg.create_database(f"{prefix}_{name}")
        urls.append(pg.dsn(f"{prefix}_{name}"))
    return urls
