import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Edit } from "@/lib/types";
import { EditsBrowser } from "@/ui/edits/edits-browser";
import { EditsTable } from "@/ui/edits/edits-table";
import { stubFetch } from "./fetch-stub";

const edit = (n: number, status: Edit["status"], reason = ""): Edit => ({
  edit_id: `e${n}`,
  agent_id: `agent-${n}`,
  proposed_text: `Текст правки ${n}`,
  position: n % 2 ? "end" : "3:9",
  tokens_used: 120,
  status,
  created_at: "2025-01-01T12:00:00.000Z",
  node: "b",
  version_key: n,
  base_version: 1,
  version: status === "rejected" ? null : n,
  reason,
});

describe("EditsTable", () => {
  it("marks rejected and superseded edits", () => {
    render(<EditsTable edits={[edit(1, "accepted"), edit(2, "rejected", "stale read"), edit(3, "superseded")]} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(within(rows[0]).getByText("принята")).toBeInTheDocument();
    expect(within(rows[1]).getByText("отклонена")).toBeInTheDocument();
    expect(within(rows[1]).getByText("stale read")).toBeInTheDocument();
    expect(within(rows[1]).getByText("Текст правки 2")).toHaveClass("line-through");
    expect(within(rows[2]).getByText("перезаписана")).toBeInTheDocument();
    expect(within(rows[2]).getByText("Текст правки 3")).toHaveClass("line-through");
    expect(within(rows[0]).getByText("Текст правки 1")).not.toHaveClass("line-through");
  });
});

describe("EditsBrowser", () => {
  it("pages with limit/offset and filters by status and agent", async () => {
    const calls = stubFetch({
      "/api/agents": { running: true, count: 1, agents: [{ agent_id: "agent-1", role: "эксперт по теме" }] },
      "/api/edits": (url: URL) => ({
        edits: [edit(Number(url.searchParams.get("offset")) + 1, "accepted")],
        total: 45,
        limit: Number(url.searchParams.get("limit")),
        offset: Number(url.searchParams.get("offset")),
      }),
    });
    render(<EditsBrowser />);
    expect(await screen.findByTestId("page-range")).toHaveTextContent("1–20 из 45");
    await userEvent.click(screen.getByRole("button", { name: "Старее →" }));
    await waitFor(() => expect(screen.getByTestId("page-range")).toHaveTextContent("21–40 из 45"));
    expect(screen.getByText("страница 2 из 3")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Статус"), "rejected");
    await userEvent.type(screen.getByLabelText("Агент"), "agent-1");
    await waitFor(() => {
      const last = calls.filter((c) => c.url.pathname === "/api/edits").at(-1)!.url.searchParams;
      expect([last.get("status"), last.get("agent_id"), last.get("offset")]).toEqual(["rejected", "agent-1", "0"]);
    });
  });

  it("says so when the balancer is down", async () => {
    stubFetch({
      "/api/agents": { running: false, count: 0, agents: [] },
      "/api/edits": Response.json({ error: "balancer_unreachable", message: "балансировщик не отвечает" }, { status: 502 }),
    });
    render(<EditsBrowser />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Сервис недоступен");
  });
});
