import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { InitForm } from "@/ui/init/init-form";
import { validateInit } from "@/ui/init/validate";
import { router } from "../setup";
import { stubFetch } from "./fetch-stub";
import { asOperator } from "./operator";

const idle = { running: false, count: 0, agents: [] };

describe("validateInit", () => {
  const valid = { topic: "Тема", initialText: "", agents: "10", roles: [], customRoles: "" };
  it("accepts a topic with an empty text and 0..50 agents", () => {
    expect(validateInit(valid)).toEqual({});
    expect(validateInit({ ...valid, agents: "0" })).toEqual({});
  });
  it("names every problem in Russian", () => {
    const errors = validateInit({ ...valid, topic: "  ", initialText: "я".repeat(10_001), agents: "51" });
    expect(errors.topic).toBe("Укажите тему документа.");
    expect(errors.initialText).toMatch(/длиннее 10\s000 символов/);
    expect(errors.agents).toBe("Число агентов — целое от 0 до 50.");
    expect(validateInit({ ...valid, agents: "2.5" }).agents).toBeDefined();
  });
});

describe("InitForm", () => {
  it("shows errors and sends nothing for invalid input", async () => {
    const calls = stubFetch({ "/api/agents": idle });
    render(asOperator(<InitForm />));
    await userEvent.clear(screen.getByLabelText("Число агентов"));
    await userEvent.type(screen.getByLabelText("Число агентов"), "70");
    await userEvent.click(screen.getByRole("button", { name: "Начать работу" }));
    expect(await screen.findByText("Укажите тему документа.")).toBeInTheDocument();
    expect(screen.getByText("Число агентов — целое от 0 до 50.")).toBeInTheDocument();
    expect(calls.some((c) => c.init?.method === "POST")).toBe(false);
  });

  it("initialises the document, starts the agents with the chosen roles and opens the document", async () => {
    const calls = stubFetch({
      "/api/agents": idle,
      "/api/document/init": { document_id: "d1", status: "initialized", version: 1, node: "a" },
      "/api/agents/start": { running: true, count: 3, agents: [] },
    });
    render(asOperator(<InitForm />));
    await userEvent.type(screen.getByLabelText("Тема документа"), "Кошки");
    await userEvent.type(screen.getByLabelText("Начальный текст"), "Кошки живут с людьми.");
    await userEvent.clear(screen.getByLabelText("Число агентов"));
    await userEvent.type(screen.getByLabelText("Число агентов"), "3");
    await userEvent.click(screen.getByText("корректор стиля"));
    await userEvent.click(screen.getByRole("button", { name: "Начать работу" }));
    await waitFor(() => expect(router.push).toHaveBeenCalledWith("/document"));
    const posts = calls.filter((c) => c.init?.method === "POST");
    expect(posts.map((c) => c.url.pathname)).toEqual(["/api/document/init", "/api/agents/start"]);
    expect(JSON.parse(String(posts[0].init?.body))).toEqual({ topic: "Кошки", initial_text: "Кошки живут с людьми." });
    expect(JSON.parse(String(posts[1].init?.body))).toEqual({ count: 3, roles: ["style"] });
  });

  it("restarts agents that already run", async () => {
    let starts = 0;
    const calls = stubFetch({
      "/api/agents": { running: true, count: 2, agents: [] },
      "/api/document/init": { document_id: "d1", status: "initialized", version: 1, node: "a" },
      "/api/agents/stop": idle,
      "/api/agents/start": () =>
        ++starts === 1
          ? Response.json({ error: "already_running", message: "agents are running" }, { status: 409 })
          : { running: true, count: 10, agents: [] },
    });
    render(asOperator(<InitForm />));
    expect(await screen.findByText(/агенты будут перезапущены/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Тема документа"), "Тема");
    await userEvent.click(screen.getByRole("button", { name: "Начать работу" }));
    await waitFor(() => expect(router.push).toHaveBeenCalled());
    const posts = calls.filter((c) => c.init?.method === "POST").map((c) => c.url.pathname);
    expect(posts).toEqual(["/api/document/init", "/api/agents/start", "/api/agents/stop", "/api/agents/start"]);
  });

  it("shows the service's message when the balancer is down", async () => {
    stubFetch({
      "/api/agents": idle,
      "/api/document/init": Response.json({ error: "bad_gateway", message: "no upstream server answered" }, { status: 502 }),
    });
    render(asOperator(<InitForm />));
    await userEvent.type(screen.getByLabelText("Тема документа"), "Тема");
    await userEvent.click(screen.getByRole("button", { name: "Начать работу" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Сервис недоступен");
    expect(screen.getByRole("alert")).toHaveTextContent("no upstream server answered");
    expect(router.push).not.toHaveBeenCalled();
  });

  it("is read-only for a visitor who has not signed in", async () => {
    const calls = stubFetch({ "/api/agents": idle });
    render(<InitForm />);
    expect(screen.getByRole("button", { name: "Начать работу" })).toBeDisabled();
    expect(screen.getByTestId("read-only")).toHaveTextContent("войдите как оператор");
    await waitFor(() => expect(calls.length).toBeGreaterThan(0));
    expect(calls.filter((c) => c.init?.method === "POST")).toHaveLength(0);
  });
});
