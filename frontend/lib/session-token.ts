/** Session tokens (issue 19): what one browser has seen of the document, as a version vector.
 *
 * The same rules as crdt_core's `SessionToken` (crdt_core/_session.py): the text form is
 * `<document_id>;<origin>:<seq>,...` (e.g. `0b6c…;0:17,1:9,2:12`, the document may be empty),
 * a node whose watermark covers a token holds everything that session has seen, and a client
 * keeps the pointwise maximum of the tokens it is given. Pure: used by the server-side proxy
 * (which keeps the token in a cookie) and by the cluster view (which shows it).
 */

import { NODES } from "./nodes";

export const SESSION_HEADER = "X-Chorus-Session";
export const MAX_TOKEN_CHARS = 300;
/** crdt_core's MAX_NODES: origins are 0..MAX_NODES-1. */
export const MAX_NODES = 64;
const DOCUMENT = /^[0-9A-Za-z_-]{0,64}$/;

export interface SessionToken {
  documentId: string;
  /** Per origin node (0 = a, 1 = b, 2 = c), the highest sequence seen. */
  vector: Record<number, number>;
}

/** A token read from its text form, or null when it is not one (too long, malformed). */
export function parseToken(text: string): SessionToken | null {
  if (text.length > MAX_TOKEN_CHARS) return null;
  const trimmed = text.trim();
  const sep = trimmed.indexOf(";");
  if (sep < 0) return null;
  const documentId = trimmed.slice(0, sep);
  if (!DOCUMENT.test(documentId)) return null;
  const vector: Record<number, number> = {};
  for (const pair of trimmed.slice(sep + 1).split(",")) {
    if (pair === "") continue;
    const match = /^(\d+):(\d+)$/.exec(pair);
    if (!match) return null;
    const origin = Number(match[1]);
    if (origin >= MAX_NODES || origin in vector) return null;
    vector[origin] = Number(match[2]);
  }
  return { documentId, vector };
}

/** The text form (origins in order, zero entries left out), as crdt_core prints it. */
export function formatToken(token: SessionToken): string {
  const pairs = origins(token.vector)
    .filter((origin) => token.vector[origin] > 0)
    .map((origin) => `${origin}:${token.vector[origin]}`);
  return `${token.documentId};${pairs.join(",")}`;
}

function origins(vector: Record<number | string, number>): number[] {
  return Object.keys(vector)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Whether a node with `watermark` (keys may be strings, as JSON sends them) holds
 * everything `token` has seen. */
export function coveredBy(token: SessionToken, watermark: Record<number | string, number>): boolean {
  return origins(token.vector).every((origin) => (watermark[origin] ?? 0) >= token.vector[origin]);
}

/** The pointwise maximum; the document of the token that has seen more (the newer one, `b`,
 * when neither covers the other) — crdt_core's `SessionToken.merge(a, b)`. */
export function mergeTokens(a: SessionToken, b: SessionToken): SessionToken {
  const vector: Record<number, number> = {};
  for (const origin of new Set([...origins(a.vector), ...origins(b.vector)])) {
    vector[origin] = Math.max(a.vector[origin] ?? 0, b.vector[origin] ?? 0);
  }
  const newer = coveredBy(b, a.vector) && a.documentId ? a : b;
  return { documentId: newer.documentId || a.documentId, vector };
}

/** The merge of two text forms: an unreadable or missing side is left out (null: neither). */
export function mergeTokenTexts(kept: string | null | undefined, answered: string | null | undefined): string | null {
  const a = kept ? parseToken(kept) : null;
  const b = answered ? parseToken(answered) : null;
  if (a && b) return formatToken(mergeTokens(a, b));
  const only = a ?? b;
  return only ? formatToken(only) : null;
}

/** The node name of an origin index (0 → a), or the index itself past the three nodes. */
export function originName(origin: number | string): string {
  return NODES[Number(origin)]?.name ?? String(origin);
}

/** «a 17 · b 9 · c 12»: a vector with the nodes' names (every node, zero where nothing). */
export function vectorText(vector: Record<number | string, number>): string {
  const shown = new Set([...NODES.map((_, origin) => origin), ...origins(vector)]);
  return [...shown]
    .sort((x, y) => x - y)
    .map((origin) => `${originName(origin)} ${vector[origin] ?? 0}`)
    .join(" · ");
}

/** Per origin, how many operations a node with `watermark` still lacks of the session's. */
export function missingFrom(token: SessionToken, watermark: Record<number | string, number>): Record<string, number> {
  const missing: Record<string, number> = {};
  for (const origin of origins(token.vector)) {
    const lack = token.vector[origin] - (watermark[origin] ?? 0);
    if (lack > 0) missing[originName(origin)] = lack;
  }
  return missing;
}
