"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, useState } from "react";
import { ApiError, getAgents, initDocument, startAgents, stopAgents } from "@/lib/api";
import { formatNumber, plural } from "@/lib/format";
import { MAX_AGENTS, ROLES } from "@/lib/roles";
import { usePolling } from "@/lib/use-polling";
import { SIGN_IN_HINT, useOperator } from "../operator/operator-context";
import { ErrorNotice } from "../states";
import { chosenRoles, type InitErrors, type InitValues, MAX_TEXT, validateInit } from "./validate";

const INITIAL: InitValues = { topic: "", initialText: "", agents: "10", roles: [], customRoles: "" };

type Phase = { step: "idle" } | { step: "sending"; what: string } | { step: "failed"; error: Error; initialized: boolean };

/** Spec scenario 1: topic and initial text → POST /api/document/init, then the agents. */
export function InitForm({ redirectTo = "/document" }: { redirectTo?: string }) {
  const router = useRouter();
  const [values, setValues] = useState(INITIAL);
  const [errors, setErrors] = useState<InitErrors>({});
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const agents = usePolling((signal) => getAgents({ signal }), 5000);
  const operator = useOperator();

  const set = <K extends keyof InitValues>(key: K, value: InitValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    // An error is about the old value: it goes once the field changes.
    const field = (key === "customRoles" ? "roles" : key) as keyof InitErrors;
    setErrors((errors) => {
      const rest = { ...errors };
      delete rest[field];
      return rest;
    });
  };
  const toggleRole = (key: string) =>
    set("roles", values.roles.includes(key) ? values.roles.filter((r) => r !== key) : [...values.roles, key]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateInit(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    let initialized = false;
    try {
      setPhase({ step: "sending", what: "Создаём документ на трёх узлах…" });
      await initDocument(values.topic.trim(), values.initialText);
      initialized = true;
      const count = Number(values.agents);
      if (count > 0) {
        setPhase({ step: "sending", what: "Запускаем агентов…" });
        await startOrRestart(count, chosenRoles(values));
      }
      router.push(redirectTo);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.field) {
        setErrors({ [formField(error.field)]: error.message });
      }
      setPhase({ step: "failed", error: error as Error, initialized });
    }
  };

  const running = agents.data?.running ? agents.data.count : 0;
  const busy = phase.step === "sending";

  return (
    <form onSubmit={submit} noValidate className="card space-y-5" aria-busy={busy}>
      <Field label="Тема документа" htmlFor="topic" error={errors.topic}>
        <input
          id="topic"
          name="topic"
          className="field"
          value={values.topic}
          onChange={(e) => set("topic", e.target.value)}
          placeholder="Например: История искусственного интеллекта"
          aria-invalid={Boolean(errors.topic)}
          aria-describedby={errors.topic ? "topic-error" : undefined}
        />
      </Field>

      <Field
        label="Начальный текст"
        htmlFor="initial-text"
        error={errors.initialText}
        hint={`${formatNumber(values.initialText.length)} / ${formatNumber(MAX_TEXT)} символов`}
      >
        <textarea
          id="initial-text"
          name="initialText"
          rows={8}
          className="field font-serif leading-relaxed"
          value={values.initialText}
          onChange={(e) => set("initialText", e.target.value)}
          placeholder="С чего агенты начнут работу. Можно оставить пустым."
          aria-invalid={Boolean(errors.initialText)}
          aria-describedby={errors.initialText ? "initial-text-error" : undefined}
        />
      </Field>

      <div className="grid gap-5 md:grid-cols-[12rem_1fr]">
        <Field label="Число агентов" htmlFor="agents" error={errors.agents} hint={`0 — не запускать, до ${MAX_AGENTS}`}>
          <input
            id="agents"
            name="agents"
            type="number"
            min={0}
            max={MAX_AGENTS}
            inputMode="numeric"
            className="field"
            value={values.agents}
            onChange={(e) => set("agents", e.target.value)}
            aria-invalid={Boolean(errors.agents)}
            aria-describedby={errors.agents ? "agents-error" : undefined}
          />
        </Field>
        <fieldset>
          <legend className="label">Роли агентов</legend>
          <p className="muted mb-2">Если ничего не выбрано, агенты получают все роли по кругу; выбранные роли тоже раздаются по кругу.</p>
          <div className="flex flex-wrap gap-2">
            {ROLES.map((role) => (
              <label
                key={role.key}
                className={`cursor-pointer rounded-full border px-3 py-1 text-sm ${
                  values.roles.includes(role.key)
                    ? "border-indigo-500 bg-indigo-50 text-indigo-800 dark:bg-indigo-500/20 dark:text-indigo-200"
                    : "border-slate-300 dark:border-slate-700"
                }`}
              >
                <input type="checkbox" className="sr-only" checked={values.roles.includes(role.key)} onChange={() => toggleRole(role.key)} />
                {role.name}
              </label>
            ))}
          </div>
          <div className="mt-3">
            <Field label="Свои роли (по одной в строке)" htmlFor="custom-roles" error={errors.roles}>
              <textarea
                id="custom-roles"
                rows={2}
                className="field"
                value={values.customRoles}
                onChange={(e) => set("customRoles", e.target.value)}
                placeholder="Например: Редактор заголовков: придумывай ёмкие подзаголовки"
              />
            </Field>
          </div>
        </fieldset>
      </div>

      {running > 0 && (
        <p className="muted">
          Сейчас {plural(running, ["работает", "работают", "работают"])} {running} {plural(running, ["агент", "агента", "агентов"])}: новый документ
          заменит текущий, агенты будут перезапущены.
        </p>
      )}
      {phase.step === "failed" && (
        <div className="space-y-2">
          <ErrorNotice error={phase.error} />
          {phase.initialized && (
            <p className="muted">
              Документ создан, но агенты не запустились. <Link className="underline" href={redirectTo}>Открыть документ</Link>
            </p>
          )}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn-primary px-5" disabled={busy || !operator.signedIn} title={operator.signedIn ? undefined : SIGN_IN_HINT}>
          Начать работу
        </button>
        {!operator.signedIn && (
          <span className="muted" data-testid="read-only">
            Только просмотр:{" "}
            <Link className="underline" href="/signin?next=/">
              войдите как оператор
            </Link>
            , чтобы создать документ и запустить агентов.
          </span>
        )}
        {busy && (
          <span role="status" className="muted">
            {phase.what}
          </span>
        )}
      </div>
    </form>
  );
}

/** The form field a service's 422 names (`initial_text`, `count`, `roles.0`, ...). */
function formField(apiField: string): keyof InitErrors {
  if (apiField.startsWith("initial_text")) return "initialText";
  if (apiField.startsWith("topic")) return "topic";
  return apiField === "count" ? "agents" : "roles";
}

/** Start `count` agents; agents of an earlier start are stopped first (409 from the supervisor). */
async function startOrRestart(count: number, roles: string[] | undefined): Promise<void> {
  try {
    await startAgents(count, roles);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    await stopAgents();
    await startAgents(count, roles);
  }
}

function Field({
  label,
  htmlFor,
  error,
  hint,
  children,
}: {
  label: string;
  htmlFor: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={htmlFor} className="label">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${htmlFor}-error`} className="mt-1 text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      ) : (
        hint && <p className="muted mt-1 text-xs">{hint}</p>
      )}
    </div>
  );
}
