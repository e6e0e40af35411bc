import { render, screen } from "@testing-library/react";
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
});
