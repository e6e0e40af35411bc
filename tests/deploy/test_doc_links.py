"""Every relative link and image in the docs resolves (files and #anchors); the README links
each document the spec's definition of done names."""

import re
from pathlib import Path

import pytest

from .support import REPO

DOCS = [
    REPO / "README.md",
    REPO / "ARCHITECTURE.md",
    REPO / "API.md",
    REPO / "TESTING.md",
    *sorted((REPO / "docs").glob("*.md")),
    REPO / "deploy" / "k8s" / "README.md",
]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text())
    text = re.sub(r"`[^`\n]*`", "", text)
    return LINK.findall(text)


def slugs(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a markdown file."""
    found = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        if match := re.match(r"#{1,6} (.+)", line):
            title = re.sub(r"[^\w\- ]", "", match[1].strip().lower())
            found.add(title.replace(" ", "-"))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(doc: Path) -> None:
    assert doc.is_file(), f"{doc} is missing"
    for target in links(doc):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        file_part, _, anchor = target.partition("#")
        resolved = (doc.parent / file_part).resolve() if file_part else doc
        assert resolved.exists(), f"{doc.name}: link {target} → {resolved}: no such file"
        if anchor and resolved.suffix == ".md":
            assert anchor in slugs(resolved), f"{doc.name}: {target}: no heading #{anchor}"


def test_readme_starts_with_the_two_commands_and_links_every_document() -> None:
    readme = (REPO / "README.md").read_text()
    first_block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line]
    assert commands == ["./chorus up", "./chorus test"]
    targets = set(links(REPO / "README.md"))
    for document in ("ARCHITECTURE.md", "API.md", "TESTING.md", "docs/DEPLOYMENT.md"):
        assert document in targets, f"README does not link {document}"
    shots = sorted((REPO / "docs" / "screenshots").glob("*.png"))
    for shot in shots:
        assert f"docs/screenshots/{shot.name}" in targets, (
            f"README does not show {shot.name}: add ![{shot.stem}](docs/screenshots/{shot.name}) "
            "to its Screenshots section"
        )


def test_the_link_checker_catches_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [bad](missing.md) `[code](not-a-link.md)`\n")
    assert links(page) == ["#title", "missing.md"]
    assert "title" in slugs(page)
