/** Server side only: the operator's dashboard session.
 *
 * A person signs in once with the operator token (CHORUS_OPERATOR_TOKEN); the dashboard then
 * keeps an HttpOnly, SameSite=Strict cookie whose value is an expiry and an HMAC of it keyed
 * with the token (or CHORUS_SESSION_SECRET when set) — never the token itself. Changing the
 * token ends every session. The proxy attaches the token to writes only for such a session.
 */

import "server-only";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "chorus_operator";
export const SESSION_TTL_S = 12 * 60 * 60;

/** The operator token the dashboard was started with; null when it has none. */
export function operatorToken(): string | null {
  return process.env.CHORUS_OPERATOR_TOKEN || null;
}

function sessionKey(token: string): string {
  return process.env.CHORUS_SESSION_SECRET || token;
}

function sign(token: string, expires: number): string {
  return createHmac("sha256", sessionKey(token)).update(`chorus-operator-session:${expires}`).digest("base64url");
}

/** Equal strings, compared in constant time (both sides hashed first, so lengths agree). */
export function constantTimeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The cookie value for a session that ends at `expires` (seconds since epoch). */
export function sessionValue(token: string, expires: number): string {
  return `${expires}.${sign(token, expires)}`;
}

/** True for a cookie value this dashboard issued, not expired, under the current token. */
export function validSession(value: string | undefined, token: string | null, nowS = Date.now() / 1000): boolean {
  if (!value || !token) return false;
  const [expiresText, signature] = value.split(".", 2);
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || expires <= nowS || !signature) return false;
  return constantTimeEqual(signature, sign(token, expires));
}

/** The value of one cookie in a request's Cookie header. */
export function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** True when the request comes from a signed-in operator. */
export function isOperator(request: Request): boolean {
  return validSession(cookieOf(request, SESSION_COOKIE), operatorToken());
}

/** Set-Cookie for a new session, or (value null) for signing out. */
export function sessionCookie(value: string | null, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", ...(secure ? ["Secure"] : [])];
  return value === null
    ? [`${SESSION_COOKIE}=`, "Max-Age=0", ...attributes].join("; ")
    : [`${SESSION_COOKIE}=${value}`, `Max-Age=${SESSION_TTL_S}`, ...attributes].join("; ");
}
