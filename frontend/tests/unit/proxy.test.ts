import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));

const { forward } = await import("@/lib/proxy");
const { SESSION_COOKIE, constantTimeEqual, sessionCookie, sessionValue, validSession } = await import("@/lib/session");
const { GET: sessionState, POST: signIn, DELETE: signOut } = await import("@/app/operator/session/route");

const TOKEN = "secret-token";
const init = (cookie?: string, origin?: string) =>
  new Request("http://dash.test/api/document/init", {
    method: "POST",
    body: "{}",
    headers: {
      "content-type": "application/json",
      host: "dash.test",
      ...(cookie ? { cookie } : {}),
      ...(origin ? { origin } : {}),
    },
  });

function recordFetch() {
  const seen: { url: string; auth: string | null; method: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, requestInit: RequestInit) => {
      seen.push({ url, auth: new Headers(requestInit.headers).get("authorization"), method: String(requestInit.method) });
      return Response.json({ ok: true }, { status: 201, headers: { "retry-after": "6" } });
    }),
  );
  return seen;
}

/** The session cookie a successful sign-in sets, as a browser would send it back. */
async function signedInCookie(): Promise<string> {
  const response = await signIn(new Request("http://dash.test/operator/session", { method: "POST", body: JSON.stringify({ token: TOKEN }) }));
  expect(response.status).toBe(200);
  const setCookie = response.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).not.toContain(TOKEN);
  return setCookie.split(";")[0];
}

describe("forward", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("sends reads without a token and refuses a write from a visitor who has not signed in", async () => {
    vi.stubEnv("CHORUS_API_URL", "http://balancer.test:8080/");
    vi.stubEnv("CHORUS_OPERATOR_TOKEN", TOKEN);
    const seen = recordFetch();
    const read = await forward(new Request("http://dash.test/api/edits?limit=5"), "/api", ["edits"]);
    const write = await forward(init(), "/api", ["document", "init"]);
    expect(seen).toEqual([{ url: "http://balancer.test:8080/api/edits?limit=5", auth: null, method: "GET" }]);
    expect(read.status).toBe(201);
    expect(write.status).toBe(401);
    expect((await write.json()).message).toMatch(/войдите как оператор/);
    // A forged cookie is no session either.
    expect((await forward(init(`${SESSION_COOKIE}=99999999999.forged`), "/api", ["document", "init"])).status).toBe(401);
  });

  it("adds the operator token to a signed-in operator's writes, and passes the answer through", async () => {
    vi.stubEnv("CHORUS_API_URL", "http://balancer.test:8080");
    vi.stubEnv("CHORUS_OPERATOR_TOKEN", TOKEN);
    const seen = recordFetch();
    const cookie = await signedInCookie();
    const write = await forward(init(cookie), "/api", ["document", "init"]);
    expect(seen).toEqual([{ url: "http://balancer.test:8080/api/document/init", auth: `Bearer ${TOKEN}`, method: "POST" }]);
    expect(write.headers.get("retry-after")).toBe("6");
    expect(await write.json()).toEqual({ ok: true });
    // Another site's page cannot use the session.
    expect((await forward(init(cookie, "http://evil.test"), "/api", ["document", "init"])).status).toBe(403);
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

describe("operator session", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("refuses a wrong token in Russian and signs in and out with the right one", async () => {
    vi.stubEnv("CHORUS_OPERATOR_TOKEN", TOKEN);
    const wrong = await signIn(new Request("http://dash.test/operator/session", { method: "POST", body: JSON.stringify({ token: "guess" }) }));
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toBe("Неверный токен оператора");
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const cookie = await signedInCookie();
    const state = await sessionState(new Request("http://dash.test/operator/session", { headers: { cookie } }));
    expect(await state.json()).toEqual({ signed_in: true, configured: true });
    const out = signOut(new Request("http://dash.test/operator/session", { method: "DELETE" }));
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("issues values bound to the token and an expiry", () => {
    const future = Math.floor(Date.now() / 1000) + 60;
    const value = sessionValue(TOKEN, future);
    expect(value).not.toContain(TOKEN);
    expect(validSession(value, TOKEN)).toBe(true);
    expect(validSession(value, "another-token")).toBe(false);
    expect(validSession(sessionValue(TOKEN, future - 120), TOKEN)).toBe(false);
    expect(validSession(`${future + 1}.${value.split(".")[1]}`, TOKEN)).toBe(false);
    expect(validSession(undefined, TOKEN)).toBe(false);
    expect(sessionCookie(value, true)).toMatch(/; Secure$/);
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });
});
