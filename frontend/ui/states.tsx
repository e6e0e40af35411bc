import type { ReactNode } from "react";
import { ApiError } from "@/lib/api";

/** A Russian headline for a failed request, and the service's own words as the detail. */
export function describeError(error: Error): { title: string; detail: string } {
  if (!(error instanceof ApiError)) return { title: "Что-то пошло не так", detail: error.message };
  const { status, message } = error;
  if (status === 0 || status === 502 || status === 504)
    return { title: "Сервис недоступен", detail: message };
  if (status === 503 && error.code === "session_unavailable")
    return { title: "Ни один узел пока не догнал ваш сеанс", detail: message };
  if (status === 503) return { title: "Сервис временно не может ответить", detail: message };
  if (status === 401 || status === 403) return { title: "Нет доступа", detail: message };
  if (status === 404) return { title: "Не найдено", detail: message };
  if (status === 409) return { title: "Конфликт", detail: message };
  if (status === 422 || status === 400) return { title: "Неверные данные", detail: message };
  if (status === 429) return { title: "Слишком много запросов или бюджет исчерпан", detail: message };
  return { title: `Ошибка ${status}`, detail: message };
}

export function Loading({ label = "Загрузка…" }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" className="flex items-center gap-3 py-10 text-slate-500 dark:text-slate-400">
      <span className="h-5 w-5 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden />
      {label}
    </div>
  );
}

export function ErrorNotice({ error, onRetry, compact = false }: { error: Error; onRetry?: () => void; compact?: boolean }) {
  const { title, detail } = describeError(error);
  return (
    <div
      role="alert"
      className={`rounded-lg border border-rose-300 bg-rose-50 text-rose-900 dark:border-rose-800 dark:bg-rose-950/50 dark:text-rose-200 ${
        compact ? "px-3 py-2 text-sm" : "p-4"
      }`}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <strong className="font-semibold">{title}</strong>
        <span className="break-all text-sm opacity-80">{detail}</span>
        {onRetry && (
          <button type="button" onClick={onRetry} className="ml-auto text-sm font-medium underline">
            Повторить
          </button>
        )}
      </div>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="card flex flex-col items-center gap-2 py-12 text-center">
      <p className="text-base font-medium">{title}</p>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}

/** A page's heading row: title, a short line under it, and actions on the right. */
export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {subtitle && <p className="muted mt-1">{subtitle}</p>}
      </div>
      {children && <div className="flex flex-wrap items-center gap-2">{children}</div>}
    </div>
  );
}

/** Shown on top of data that is still displayed after a refresh failed. */
export function StaleNotice({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <div className="mb-3">
      <ErrorNotice error={error} compact />
    </div>
  );
}
