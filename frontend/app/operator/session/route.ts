import {
  SESSION_TTL_S,
  constantTimeEqual,
  isOperator,
  operatorToken,
  sessionCookie,
  sessionValue,
} from "@/lib/session";

export const dynamic = "force-dynamic";

const json = (status: number, body: object, cookie?: string) =>
  Response.json(body, {
    status,
    headers: { "cache-control": "no-store", ...(cookie ? { "set-cookie": cookie } : {}) },
  });

const secure = (request: Request) =>
  new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";

/** Is this browser signed in as the operator? (and can anyone sign in at all) */
export function GET(request: Request) {
  return json(200, { signed_in: isOperator(request), configured: operatorToken() !== null });
}

/** Sign in: `{"token": "..."}` checked against CHORUS_OPERATOR_TOKEN in constant time. */
export async function POST(request: Request) {
  const token = operatorToken();
  if (!token)
    return json(503, {
      error: "not_configured",
      message: "Панель запущена без токена оператора: задайте CHORUS_OPERATOR_TOKEN",
    });
  const body = (await request.json().catch(() => ({}))) as { token?: unknown };
  const given = typeof body.token === "string" ? body.token.trim() : "";
  if (!given) return json(422, { error: "validation_error", field: "token", message: "Введите токен оператора" });
  if (!constantTimeEqual(given, token))
    return json(401, { error: "unauthorized", field: "token", message: "Неверный токен оператора" });
  const expires = Math.floor(Date.now() / 1000) + SESSION_TTL_S;
  return json(200, { signed_in: true, configured: true }, sessionCookie(sessionValue(token, expires), secure(request)));
}

/** Sign out. */
export function DELETE(request: Request) {
  return json(200, { signed_in: false, configured: operatorToken() !== null }, sessionCookie(null, secure(request)));
}
