/** Server side only: this browser's session with the Text Service (issue 19).
 *
 * One session per browser: an HttpOnly, SameSite=Strict cookie holding the merged session
 * token (lib/session-token.ts). The proxy sends it as `X-Chorus-Session` with every Text
 * Service request (document, edits) and merges the token of every answer back into it, so the
 * node that answers — whichever nginx picks — holds everything this browser has seen: an edit
 * made here shows at once, and the document never goes back to an older version.
 *
 * Two requests in flight at once each merge into the cookie they were sent with; the browser
 * keeps the Set-Cookie that arrives last, which may lack a few operations the other one saw.
 * Both answers were fresh for the token they carried, so no read goes behind what this browser
 * had when it asked.
 */

import "server-only";
import { mergeTokenTexts, parseToken } from "./session-token";
import { SESSION_TTL_S, cookieOf } from "./session";

export const TEXT_SESSION_COOKIE = "chorus_text_session";

/** The Text Service paths whose answers carry a session token (and which honour one). */
export function isSessionPath(prefix: string, path: string[]): boolean {
  return prefix === "/api" && (path[0] === "document" || path[0] === "edits");
}

/** The browser's session token (its text form), or null when it has none or an unreadable one. */
export function textSessionOf(request: Request): string | null {
  const value = cookieOf(request, TEXT_SESSION_COOKIE);
  return value && parseToken(value) ? value : null;
}

/** Set-Cookie for the session `token` (its text form), or (null) for forgetting it. */
export function textSessionCookie(token: string | null, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", ...(secure ? ["Secure"] : [])];
  return token === null
    ? [`${TEXT_SESSION_COOKIE}=`, "Max-Age=0", ...attributes].join("; ")
    : [`${TEXT_SESSION_COOKIE}=${encodeURIComponent(token)}`, `Max-Age=${SESSION_TTL_S}`, ...attributes].join("; ");
}

/** The Set-Cookie that keeps `kept` merged with an answer's token; null when nothing changed. */
export function mergedSessionCookie(kept: string | null, answered: string | null, secure: boolean): string | null {
  const merged = mergeTokenTexts(kept, answered);
  return merged !== null && merged !== kept ? textSessionCookie(merged, secure) : null;
}

/** Whether the request came over https (directly or through a proxy that says so). */
export function isSecure(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}
