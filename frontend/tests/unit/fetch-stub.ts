import { vi } from "vitest";

type Handler = (url: URL, init: RequestInit | undefined) => unknown;

/** Replace `fetch` with answers by path: a value is sent as 200 JSON, a Response as is. */
export function stubFetch(routes: Record<string, Handler | unknown>) {
  const calls: { url: URL; init?: RequestInit }[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://dashboard.test");
    calls.push({ url, init });
    const route = routes[url.pathname];
    if (route === undefined) return Response.json({ error: "not_found", message: `no stub for ${url.pathname}` }, { status: 404 });
    const answer = typeof route === "function" ? (route as Handler)(url, init) : route;
    return answer instanceof Response ? answer : Response.json(answer);
  });
  vi.stubGlobal("fetch", fetchStub);
  return calls;
}
