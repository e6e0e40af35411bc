import { parseToken } from "@/lib/session-token";
import { isSecure, textSessionCookie, textSessionOf } from "@/lib/text-session";

export const dynamic = "force-dynamic";

const json = (body: object, cookie?: string) =>
  Response.json(body, { headers: { "cache-control": "no-store", ...(cookie ? { "set-cookie": cookie } : {}) } });

/** This browser's session with the Text Service, for the cluster view: the token and its
 * vector (origin index → sequence), or nulls before the first document read. */
export function GET(request: Request) {
  const token = textSessionOf(request);
  const parsed = token ? parseToken(token) : null;
  return json({ token, document_id: parsed?.documentId ?? null, vector: parsed?.vector ?? null });
}

/** Forget the session (e.g. after the cluster's databases were wiped: no node covers it). */
export function DELETE(request: Request) {
  return json({ token: null, document_id: null, vector: null }, textSessionCookie(null, isSecure(request)));
}
