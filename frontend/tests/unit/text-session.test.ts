import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const { forward } = await import("@/lib/proxy");
const { TEXT_SESSION_COOKIE } = await import("@/lib/text-session");
const { GET: sessionState, DELETE: forgetSession } = await import("@/app/session/route");
const { POST: signIn } = await import("@/app/operator/session/route");

const HEADER = "x-chorus-session";

/** The balancer: answers each request with `answer(url)`'s token; records what it was sent. */
function balancer(answer: (url: string) => { token?: string; status?: number; body?: object }) {
  const seen: { url: string; session: string | null }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      seen.push({ url, session: new Headers(init.headers).get(HEADER) });
      const { token, status = 200, body = { ok: true } } = answer(url);
      return Response.json(body, { status, headers: token ? { [HEADER]: token, "retry-after": "1" } : {} });
    }),
  );
  return seen;
}

const cookieOf = (setCookie: string | null) => (setCookie ? setCookie.split(";")[0] : null);
const read = (path: string, cookie?: string | null) =>
  new Request(`http://dash.test${path}`, { headers: cookie ? { cookie } : {} });
const tokenIn = (cookie: string | null) => (cookie ? decodeURIComponent(cookie.split("=")[1]) : null);

describe("the browser's session through the proxy", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });

  it("keeps the merged token of every document and edits answer in an HttpOnly cookie and sends it back", async () => {
    const tokens = ["d;0:3", "d;0:2,1:1", "d;0:3,1:1"];
    const seen = balancer(() => ({ token: tokens.shift() }));
    const first = await forward(read("/api/document/current"), "/api", ["document", "current"]);
    const setCookie = first.headers.get("set-cookie");
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    let cookie = cookieOf(setCookie);
    expect(cookie?.startsWith(`${TEXT_SESSION_COOKIE}=`)).toBe(true);
    expect(tokenIn(cookie)).toBe("d;0:3");

    // A node behind on origin 0 but ahead on 1: the cookie keeps the pointwise maximum.
    const second = await forward(read("/api/edits?limit=5", cookie), "/api", ["edits"]);
    cookie = cookieOf(second.headers.get("set-cookie"));
    expect(tokenIn(cookie)).toBe("d;0:3,1:1");
    // Nothing new: no Set-Cookie.
    const third = await forward(read("/api/document/versions", cookie), "/api", ["document", "versions"]);
    expect(third.headers.get("set-cookie")).toBeNull();
    expect(seen.map((s) => s.session)).toEqual([null, "d;0:3", "d;0:3,1:1"]);
  });

  it("sends the session with an operator's writes too, and only to the Text Service", async () => {
    const seen = balancer(() => ({ token: "d;0:9" }));
    const cookie = `${TEXT_SESSION_COOKIE}=${encodeURIComponent("d;0:4")}`;
    const chat = await forward(read("/api/chat/messages", cookie), "/api", ["chat", "messages"]);
    const node = await forward(read("/nodes/a/api/node", cookie), "/nodes", ["a", "api", "node"]);
    expect(chat.headers.get("set-cookie")).toBeNull();
    expect(node.headers.get("set-cookie")).toBeNull();
    // An unreadable cookie is not sent (a node would answer 422).
    await forward(read("/api/document/current", `${TEXT_SESSION_COOKIE}=garbage`), "/api", ["document", "current"]);
    // An operator's edit carries the session; its answer's token (after the write) is kept.
    vi.stubEnv("CHORUS_OPERATOR_TOKEN", "secret-token");
    const signedIn = await signIn(new Request("http://dash.test/operator/session", { method: "POST", body: JSON.stringify({ token: "secret-token" }) }));
    const operator = cookieOf(signedIn.headers.get("set-cookie"));
    const write = await forward(
      new Request("http://dash.test/api/edits", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json", host: "dash.test", cookie: `${operator}; ${cookie}` },
      }),
      "/api",
      ["edits"],
    );
    expect(tokenIn(cookieOf(write.headers.get("set-cookie")))).toBe("d;0:9");
    expect(seen.map((s) => s.session)).toEqual([null, null, null, "d;0:4"]);
  });

  it("passes a 503 session_unavailable through, keeping the session", async () => {
    const message = "узел c ещё не получил всё, что видел ваш сеанс: повторите на другом узле";
    balancer(() => ({ status: 503, token: "d;0:1", body: { error: "session_unavailable", message } }));
    const cookie = `${TEXT_SESSION_COOKIE}=${encodeURIComponent("d;0:4")}`;
    const response = await forward(read("/api/document/current", cookie), "/api", ["document", "current"]);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({ error: "session_unavailable", message });
    expect(response.headers.get("set-cookie")).toBeNull(); // the lagging node's token adds nothing
  });

  it("tells the cluster view the session's vector, and forgets it on request", async () => {
    const cookie = `${TEXT_SESSION_COOKIE}=${encodeURIComponent("d;0:17,1:9,2:12")}`;
    expect(await sessionState(read("/session", cookie)).json()).toEqual({
      token: "d;0:17,1:9,2:12",
      document_id: "d",
      vector: { 0: 17, 1: 9, 2: 12 },
    });
    expect(await sessionState(read("/session")).json()).toEqual({ token: null, document_id: null, vector: null });
    const forgotten = forgetSession(new Request("http://dash.test/session", { method: "DELETE" }));
    expect(forgotten.headers.get("set-cookie")).toMatch(new RegExp(`^${TEXT_SESSION_COOKIE}=; Max-Age=0`));
  });
});
