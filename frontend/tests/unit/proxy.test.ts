import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const { forward } = await import("@/lib/proxy");

describe("forward", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("adds the operator token to writes only, and passes the answer through", async () => {
    vi.stubEnv("CHORUS_API_URL", "http://balancer.test:8080/");
    vi.stubEnv("CHORUS_OPERATOR_TOKEN", "secret-token");
    const seen: { url: string; auth: string | null; method: string }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        seen.push({ url, auth: new Headers(init.headers).get("authorization"), method: String(init.method) });
        return Response.json({ ok: true }, { status: 201, headers: { "retry-after": "6" } });
      }),
    );
    const read = await forward(new Request("http://dash.test/api/edits?limit=5"), "/api", ["edits"]);
    const write = await forward(
      new Request("http://dash.test/api/document/init", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
      "/api",
      ["document", "init"],
    );
    expect(seen).toEqual([
      { url: "http://balancer.test:8080/api/edits?limit=5", auth: null, method: "GET" },
      { url: "http://balancer.test:8080/api/document/init", auth: "Bearer secret-token", method: "POST" },
    ]);
    expect(read.status).toBe(201);
    expect(write.headers.get("retry-after")).toBe("6");
    expect(await write.json()).toEqual({ ok: true });
  });

  it("answers 502 with a Russian message when the balancer does not answer", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("fetch failed");
      }),
    );
    const response = await forward(new Request("http://dash.test/nodes/a/health"), "/nodes", ["a", "health"]);
    expect(response.status).toBe(502);
    expect((await response.json()).message).toMatch(/балансировщик .* не отвечает/);
  });
});
