import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LiveDocument } from "@/ui/document/live-document";
import { stubFetch } from "./fetch-stub";

const agents = { running: false, count: 0, agents: [] };

describe("LiveDocument", () => {
  it("shows the text, version and node", async () => {
    stubFetch({
      "/api/agents": agents,
      "/api/document/current": {
        version: 12,
        text: "Кошки живут рядом с людьми.",
        timestamp: "2025-01-01T12:00:00.000Z",
        document_id: "d1",
        version_key: 99,
        topic: "Кошки",
        node: "c",
      },
    });
    render(<LiveDocument />);
    expect(await screen.findByRole("heading", { name: "Кошки" })).toBeInTheDocument();
    expect(screen.getByTestId("document-version")).toHaveTextContent("12");
    expect(screen.getByTestId("document-meta")).toHaveTextContent("Новосибирск (c)");
    expect(screen.getByTestId("document-text")).toHaveTextContent("Кошки живут рядом с людьми.");
    expect(screen.getByRole("button", { name: "Скачать .txt" })).toBeInTheDocument();
  });

  it("invites to create a document when there is none", async () => {
    stubFetch({
      "/api/agents": agents,
      "/api/document/current": { version: 0, text: "", timestamp: "", document_id: null, version_key: 0, topic: "", node: "a" },
    });
    render(<LiveDocument />);
    expect(await screen.findByText("Документ ещё не создан")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Создайте документ" })).toHaveAttribute("href", "/");
  });

  it("says the service is down", async () => {
    stubFetch({
      "/api/agents": agents,
      "/api/document/current": Response.json({ error: "bad_gateway", message: "no upstream server answered" }, { status: 502 }),
    });
    render(<LiveDocument />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Сервис недоступен");
    expect(screen.getByRole("button", { name: "Повторить" })).toBeInTheDocument();
  });

  it("colours the text by author from the authorship runs, with a legend and the newest edit", async () => {
    const text = "Кошки живут рядом с людьми.";
    stubFetch({
      "/api/agents": { running: true, count: 1, agents: [{ agent_id: "agent-2", role: "корректор стиля", state: "running" }] },
      "/api/document/current": { version: 5, text, timestamp: new Date().toISOString(), document_id: "d1", version_key: 9, topic: "Кошки", node: "a" },
      "/api/document/authorship": {
        document_id: "d1",
        version: 5,
        node: "a",
        text,
        runs: [
          { start: 0, end: 12, edit_id: "init-1", agent_id: "operator", kind: "init", version: 1, timestamp: "2020-01-01T00:00:00Z" },
          { start: 12, end: 26, edit_id: "edit-5", agent_id: "agent-2", kind: "replace", version: 5, timestamp: new Date().toISOString() },
          { start: 26, end: 27, edit_id: "init-1", agent_id: "operator", kind: "init", version: 1, timestamp: "2020-01-01T00:00:00Z" },
        ],
      },
    });
    render(<LiveDocument />);
    const article = await screen.findByTestId("document-text");
    await waitFor(() => expect(article).toHaveAttribute("data-authorship", "runs"));
    const runs = [...article.querySelectorAll<HTMLElement>("[data-run]")];
    expect(runs.map((r) => [r.dataset.agent, r.textContent])).toEqual([
      ["operator", "Кошки живут "],
      ["agent-2", "рядом с людьми"],
      ["operator", "."],
    ]);
    expect(runs[1].style.backgroundColor).not.toBe(runs[0].style.backgroundColor);
    expect(runs[1]).toHaveAttribute("data-change", "inserted"); // a fresh edit is marked
    expect(runs[0]).not.toHaveAttribute("data-change");
    expect(runs[1].title).toMatch(/agent-2 \(корректор стиля\) · версия 5 · правка edit-5/);
    await waitFor(() => expect(screen.getByTestId("author-legend")).toHaveTextContent("agent-2 (корректор стиля)"));
    expect(screen.getByTestId("recent-changes")).toHaveTextContent("рядом с людьми");
    expect(screen.getByRole("button", { name: "К последней правке" })).toBeEnabled();
  });

  it("falls back to plain text where the node has no authorship endpoint", async () => {
    stubFetch({
      "/api/agents": agents,
      "/api/document/current": { version: 2, text: "Текст.", timestamp: "", document_id: "d1", version_key: 2, topic: "Т", node: "a" },
    });
    render(<LiveDocument />);
    expect(await screen.findByTestId("no-authorship")).toBeInTheDocument();
    expect(screen.getByTestId("document-text")).toHaveTextContent("Текст.");
  });
});
