/** Server side only: forwards a dashboard request to the load balancer.
 *
 * The browser never sees a token. Reads go out without one (nginx rate-limits per token, and
 * the dashboard's polling must not be throttled). Writes get the operator's bearer token from
 * CHORUS_OPERATOR_TOKEN only for a browser signed in as the operator (lib/session.ts); any
 * other write is refused here with 401. CHORUS_API_URL is the balancer (default
 * http://127.0.0.1:8080).
 *
 * Requests to the Text Service's document and edits carry this browser's session token
 * (`X-Chorus-Session`, kept in a cookie by lib/text-session.ts), and the token of each answer
 * is merged back into the cookie: read-your-writes and monotonic reads across the three nodes.
 */

import "server-only";
import { SESSION_HEADER } from "./session-token";
import { isOperator, operatorToken } from "./session";
import { isSecure, isSessionPath, mergedSessionCookie, textSessionOf } from "./text-session";

const DEFAULT_API_URL = "http://127.0.0.1:8080";
const TIMEOUT_MS = 35_000; // above nginx's 30 s for analytics and the supervisor
const FORWARDED_REQUEST_HEADERS = ["content-type", "accept"];
const FORWARDED_RESPONSE_HEADERS = ["content-type", "retry-after"];

export type RouteContext = { params: Promise<{ path?: string[] }> };

function apiUrl(): string {
  return (process.env.CHORUS_API_URL || DEFAULT_API_URL).replace(/\/+$/, "");
}

function json(status: number, body: object): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // "null" (a sandboxed page) or garbage: not this site
  }
}

/** Why a write may not go out (a 401/403 answer), or null when it may. */
function refuseWrite(request: Request, token: string | null): Response | null {
  if (!token)
    return json(401, {
      error: "unauthorized",
      message: "Панель запущена без токена оператора: задайте CHORUS_OPERATOR_TOKEN",
    });
  // SameSite=Strict already keeps the cookie off other sites' requests; a foreign Origin is
  // refused as well, for browsers that send it.
  const origin = request.headers.get("origin");
  if (origin && hostOf(origin) !== (request.headers.get("host") ?? new URL(request.url).host))
    return json(403, { error: "forbidden", message: "Запрос с чужого сайта отклонён" });
  if (!isOperator(request))
    return json(401, {
      error: "unauthorized",
      message: "Изменять документ, агентов и узлы может только оператор: войдите как оператор",
    });
  return null;
}

/** `prefix` + the caught path + the query, forwarded to the balancer. */
export async function forward(request: Request, prefix: string, path: string[]): Promise<Response> {
  const target = `${apiUrl()}${prefix}/${path.map(encodeURIComponent).join("/")}${new URL(request.url).search}`;
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const write = request.method !== "GET" && request.method !== "HEAD";
  const token = operatorToken();
  if (write) {
    const refusal = refuseWrite(request, token);
    if (refusal) return refusal;
    headers.set("authorization", `Bearer ${token}`);
  }
  const session = isSessionPath(prefix, path) ? textSessionOf(request) : null;
  if (session) headers.set(SESSION_HEADER, session);
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: write ? await request.arrayBuffer() : undefined,
      cache: "no-store",
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return json(502, {
      error: "balancer_unreachable",
      message: `балансировщик ${apiUrl()} не отвечает (${reason})`,
    });
  }
  const responseHeaders = new Headers({ "cache-control": "no-store" });
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  if (isSessionPath(prefix, path)) {
    const cookie = mergedSessionCookie(session, upstream.headers.get(SESSION_HEADER), isSecure(request));
    if (cookie) responseHeaders.set("set-cookie", cookie);
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

/** Route handlers for every method of one catch-all route under `prefix`. */
export function proxyRoute(prefix: string) {
  const handle = async (request: Request, context: RouteContext) =>
    forward(request, prefix, (await context.params).path ?? []);
  return { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, HEAD: handle };
}
