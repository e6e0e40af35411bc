"""deploy/k8s: schema-valid offline (kubernetes-validate ships the JSON schemas), and the
compose topology: the same Service names and ports, images, and environment variable names;
each text node with its own PostgreSQL in a StatefulSet, on separate hosts."""

import functools
import re
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from launcher import nginx

from .support import K8S_DIR, resolved_compose

KUBERNETES_VERSION = "1.30.0"
MANIFESTS = sorted(K8S_DIR.glob("*.yaml"))
COMPOSE_TO_K8S = {
    # compose service → (kind, workload, container)
    "text-service-a": ("StatefulSet", "text-node-a", "text-node"),
    "text-service-b": ("StatefulSet", "text-node-b", "text-node"),
    "text-service-c": ("StatefulSet", "text-node-c", "text-node"),
    "analytics-service": ("Deployment", "analytics", "analytics"),
    "chat-service": ("Deployment", "chat", "chat"),
    "llm-simulator": ("Deployment", "llm-simulator", "llm-simulator"),
    "agent-supervisor": ("Deployment", "agent-supervisor", "agent-supervisor"),
    "load-balancer": ("Deployment", "load-balancer", "load-balancer"),
    "dashboard": ("Deployment", "dashboard", "dashboard"),
    "postgres-analytics": ("StatefulSet", "postgres-analytics", "postgres"),
    "redis": ("StatefulSet", "redis", "redis"),
}
"""postgres-a..c run inside the text-node-a..c pods; `agent` (one per container) has no
counterpart: the supervisor runs the agents."""
OPTIONAL_IN_K8S = {"SUPERVISOR_OPENAI_MODEL", "SUPERVISOR_OPENAI_API_KEY"}
"""Compose passes these through from .env (empty by default); in Kubernetes one adds them."""
K8S_ONLY = {"PGDATA"}
"""PostgreSQL's data in a subdirectory of the volume (a fresh volume holds lost+found)."""


@functools.cache
def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in MANIFESTS:
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def find(kind: str, name: str) -> dict[str, Any]:
    for doc in documents():
        if doc["kind"] == kind and doc["metadata"]["name"] == name:
            return doc
    raise AssertionError(f"no {kind} {name} in deploy/k8s")


def container(kind: str, name: str, container_name: str) -> dict[str, Any]:
    pod = find(kind, name)["spec"]["template"]["spec"]
    for item in pod["containers"]:
        if item["name"] == container_name:
            result: dict[str, Any] = item
            return result
    raise AssertionError(f"{kind} {name} has no container {container_name}")


def env_names(item: dict[str, Any]) -> set[str]:
    """Variables of a container, less helpers only referenced as $(NAME) by the others."""
    env = item.get("env", [])
    referenced = {
        match for var in env for match in re.findall(r"\$\((\w+)\)", str(var.get("value", "")))
    }
    return {var["name"] for var in env} - referenced


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_is_valid_against_the_kubernetes_schemas(path: Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert docs, f"{path} is empty"
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "chorus", doc["metadata"]["name"]


def test_an_invalid_manifest_is_refused_offline() -> None:
    """The validator really checks (and needs no network to do it)."""
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


def test_each_text_node_is_a_statefulset_with_its_own_postgres_on_a_separate_host() -> None:
    for letter in "abc":
        statefulset = find("StatefulSet", f"text-node-{letter}")
        spec = statefulset["spec"]
        assert spec["replicas"] == 1
        pod = spec["template"]["spec"]
        assert [c["name"] for c in pod["containers"]] == ["text-node", "postgres"]
        postgres = container("StatefulSet", f"text-node-{letter}", "postgres")
        assert postgres["image"].startswith("postgres:15.")
        mounts = {m["name"] for m in postgres["volumeMounts"]}
        assert mounts == {t["metadata"]["name"] for t in spec["volumeClaimTemplates"]}
        node = container("StatefulSet", f"text-node-{letter}", "text-node")
        url = next(v["value"] for v in node["env"] if v["name"] == "TEXT_NODE_DATABASE_URL")
        assert "@127.0.0.1:5432/" in url, "a node talks to the PostgreSQL of its own pod"
        anti = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert anti[0]["topologyKey"] == "kubernetes.io/hostname"
        labels = spec["template"]["metadata"]["labels"]
        assert anti[0]["labelSelector"]["matchLabels"].items() <= labels.items()


def test_services_are_the_balancers_upstreams_on_their_ports() -> None:
    services = {d["metadata"]["name"]: d for d in documents() if d["kind"] == "Service"}
    workloads = [d for d in documents() if d["kind"] in ("Deployment", "StatefulSet")]
    for field in nginx.Upstreams.__dataclass_fields__:
        upstream = getattr(nginx.COMPOSE_UPSTREAMS, field)
        if upstream is None:
            continue
        host, _, port = upstream.partition(":")
        assert host in services, f"nginx upstream {host}: no Service in deploy/k8s"
        # a node's Service has two ports: the node's and its reader process's
        assert int(port) in [p["port"] for p in services[host]["spec"]["ports"]]
    for name, service in services.items():
        selector = service["spec"]["selector"].items()
        matched = [
            w for w in workloads if selector <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matched) == 1, f"Service {name} selects {len(matched)} workloads"
        ports = {
            p["name"]
            for c in matched[0]["spec"]["template"]["spec"]["containers"]
            for p in c["ports"]
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, f"Service {name}: no port {port['targetPort']}"


def test_workloads_run_the_compose_images_with_the_compose_variables() -> None:
    compose = resolved_compose()["services"]
    for service, (kind, name, container_name) in COMPOSE_TO_K8S.items():
        item = container(kind, name, container_name)
        compose_image = compose[service]["image"]
        assert item["image"].split(":")[0] == compose_image.split(":")[0], service
        expected = set(compose[service].get("environment") or {}) - OPTIONAL_IN_K8S
        assert env_names(item) - K8S_ONLY == expected, f"{name}: differs from compose {service}"


def test_every_secret_comes_from_the_chorus_secret_with_env_file_keys() -> None:
    keys = {
        line.partition("=")[0]
        for line in (K8S_DIR.parent.parent / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    for doc in documents():
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for item in doc["spec"]["template"]["spec"]["containers"]:
            for var in item.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == "chorus"
                    assert ref["key"] in keys, f"{ref['key']} is not a key of .env.example"
                elif re.search("TOKEN|PASSWORD", var["name"]):
                    assert "$(" in str(var.get("value")), (
                        f"{doc['metadata']['name']}: {var['name']} written in the manifest"
                    )


def test_containers_run_as_non_root() -> None:
    for doc in documents():
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for item in doc["spec"]["template"]["spec"]["containers"]:
            context = item.get("securityContext", {})
            assert context.get("runAsNonRoot") is True, f"{doc['metadata']['name']}/{item['name']}"
            assert context.get("allowPrivilegeEscalation") is False
