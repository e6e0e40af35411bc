"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { describeError } from "../states";
import { useOperator } from "./operator-context";

/** Asks for the operator token once; the dashboard keeps a session cookie, not the token. */
export function SignInForm({ next = "/" }: { next?: string }) {
  const operator = useOperator();
  const router = useRouter();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await operator.signIn(token);
      setToken("");
      router.push(next);
      router.refresh();
    } catch (failure) {
      setError(describeError(failure as Error).detail);
    } finally {
      setBusy(false);
    }
  };

  if (operator.signedIn)
    return (
      <div className="card space-y-3">
        <p>Вы вошли как оператор: можно создавать документ, запускать агентов и управлять узлами.</p>
        <button type="button" className="btn-secondary" onClick={() => void operator.signOut()}>
          Выйти
        </button>
      </div>
    );
  return (
    <form onSubmit={submit} className="card max-w-md space-y-4" noValidate>
      <div>
        <label htmlFor="operator-token" className="label">
          Токен оператора
        </label>
        <input
          id="operator-token"
          name="token"
          type="password"
          autoComplete="current-password"
          className="field"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? "operator-token-error" : "operator-token-hint"}
        />
        {error ? (
          <p id="operator-token-error" role="alert" className="mt-1 text-sm text-rose-600 dark:text-rose-400">
            {error}
          </p>
        ) : (
          <p id="operator-token-hint" className="muted mt-1 text-xs">
            Значение CHORUS_OPERATOR_TOKEN (при ./chorus up — agent_tokens.operator в .state/secrets.json). Панель хранит не сам токен, а сессию в защищённой cookie.
          </p>
        )}
      </div>
      <button type="submit" className="btn-primary" disabled={busy || token.trim() === ""}>
        {busy ? "Проверяем…" : "Войти"}
      </button>
    </form>
  );
}
