/** One typed function per endpoint the dashboard uses. Every request goes to this app's own
 * `/api/...` and `/nodes/...` routes, which forward to the load balancer (app/api, app/nodes). */

import type {
  AgentListing,
  Authorship,
  ChatMessage,
  ClusterControl,
  DocumentState,
  EditPage,
  EditStatus,
  InitResult,
  Metrics,
  NodeHealth,
  NodeName,
  NodeState,
  Period,
  TextSessionState,
  Timeline,
  VersionList,
} from "./types";

/** A failed request: the HTTP status (0 when nothing answered) and the service's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = "",
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; field?: string } = {};
  try {
    body = await response.json();
  } catch {
    // not JSON (an HTML error page): the status line says enough
  }
  return new ApiError(
    response.status,
    body.message ?? `${response.status} ${response.statusText}`.trim(),
    body.error ?? "",
    body.field,
  );
}

async function request<T>(
  method: "GET" | "POST",
  path: string,
  options: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers: options.body === undefined ? undefined : { "Content-Type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: "no-store",
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "сервер панели не отвечает", "network_error");
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

type Signal = { signal?: AbortSignal };

export const getDocument = ({ signal }: Signal = {}) =>
  request<DocumentState>("GET", "/api/document/current", { signal });

export const initDocument = (topic: string, initialText: string) =>
  request<InitResult>("POST", "/api/document/init", {
    body: { topic, initial_text: initialText },
  });

export const getVersions = (limit: number, offset = 0, { signal }: Signal = {}) =>
  request<VersionList>("GET", "/api/document/versions", { query: { limit, offset }, signal });

export const getVersion = (version: number, { signal }: Signal = {}) =>
  request<DocumentState>("GET", `/api/document/versions/${version}`, { signal });

export interface EditFilter {
  limit: number;
  offset: number;
  status?: EditStatus | "";
  agentId?: string;
}

export const getEdits = (filter: EditFilter, { signal }: Signal = {}) =>
  request<EditPage>("GET", "/api/edits", {
    query: {
      limit: filter.limit,
      offset: filter.offset,
      status: filter.status,
      agent_id: filter.agentId,
    },
    signal,
  });

export const getChat = (
  { since, limit }: { since?: string; limit?: number },
  { signal }: Signal = {},
) => request<ChatMessage[]>("GET", "/api/chat/messages", { query: { since, limit }, signal });

export const getMetrics = (period: Period, { signal }: Signal = {}) =>
  request<Metrics>("GET", "/api/analytics/metrics", { query: { period }, signal });

/** The cluster's events, newest first; an empty list where the analytics service lacks them. */
export async function getTimeline(period: Period, limit = 200, { signal }: Signal = {}): Promise<Timeline> {
  try {
    return await request<Timeline>("GET", "/api/analytics/timeline", { query: { period, limit }, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { events: [], generated_at: new Date().toISOString() };
    throw error;
  }
}

/** Who wrote each character of a version (default: the newest); null where the node is older
 * and has no such endpoint (404), so the caller falls back to plain text. */
export async function getAuthorship(version?: number, { signal }: Signal = {}): Promise<Authorship | null> {
  try {
    return await request<Authorship>("GET", "/api/document/authorship", { query: { version }, signal });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }
}

export const getAgents = ({ signal }: Signal = {}) =>
  request<AgentListing>("GET", "/api/agents", { signal });

export const startAgents = (count: number, roles?: string[]) =>
  request<AgentListing>("POST", "/api/agents/start", {
    body: roles && roles.length > 0 ? { count, roles } : { count },
  });

export const stopAgents = () => request<AgentListing>("POST", "/api/agents/stop", { body: {} });

/** GET /nodes/{n}/health: never throws, a node that is down is an answer too. */
export async function getNodeHealth(node: NodeName, { signal }: Signal = {}): Promise<NodeHealth> {
  try {
    const response = await fetch(`/nodes/${node}/health`, { cache: "no-store", signal });
    const body = (await response.json().catch(() => ({}))) as { status?: string; version?: number };
    return {
      httpStatus: response.status,
      status: body.status ?? (response.ok ? "ok" : "unavailable"),
      version: body.version,
    };
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    return { httpStatus: 0, status: "unreachable" };
  }
}

export const getNodeState = (node: NodeName, { signal }: Signal = {}) =>
  request<NodeState>("GET", `/nodes/${node}/api/node`, { signal });

/** The local launcher's node control; null where the stack has none (404). */
export async function getClusterControl({ signal }: Signal = {}): Promise<ClusterControl | null> {
  try {
    return await request<ClusterControl>("GET", "/api/cluster", { signal });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }
}

/** stop: clean exit; start: launch (health follows after catch-up); kill: SIGKILL;
 * freeze/thaw: SIGSTOP/SIGCONT (a hung node, which the balancer must time out). */
export type NodeAction = "stop" | "start" | "kill" | "freeze" | "thaw";

export const actOnNode = (node: NodeName, action: NodeAction) =>
  request<{ name: NodeName; state: string }>("POST", `/api/cluster/nodes/${node}/${action}`, { body: {} });

const NO_SESSION: TextSessionState = { token: null, document_id: null, vector: null };

/** This browser's session token as the dashboard's proxy keeps it (GET /session). */
export async function getTextSession({ signal }: Signal = {}): Promise<TextSessionState> {
  const response = await fetch("/session", { cache: "no-store", signal });
  if (!response.ok) throw await errorOf(response);
  return { ...NO_SESSION, ...((await response.json()) as Partial<TextSessionState>) };
}

/** Forget this browser's session (DELETE /session): the next read starts a new one. */
export async function forgetTextSession(): Promise<void> {
  const response = await fetch("/session", { method: "DELETE", cache: "no-store" });
  if (!response.ok) throw await errorOf(response);
}
