"use client";

import Link from "next/link";
import { useRef } from "react";
import { getDocument, getEdits } from "@/lib/api";
import { FADE_MS, freshness } from "@/lib/diff";
import { formatNumber, formatTime, plural } from "@/lib/format";
import { nodeLabel } from "@/lib/nodes";
import { useNow, usePolling } from "@/lib/use-polling";
import type { Edit } from "@/lib/types";
import { agentLabel, useAgentRoles } from "../agents/use-agent-roles";
import { documentFilename, saveText } from "../shell/download";
import { Empty, ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { HighlightedText, type TextPart } from "../text/highlighted-text";
import { RecentChanges } from "./recent-changes";
import { type Tracked, needsAuthors, track } from "./track";

const POLL_MS = 2000; // spec: the document every 2 s

/** Spec scenario 7: the current text, polled every 2 s, recent changes highlighted. */
export function LiveDocument() {
  const tracked = useRef<Tracked | undefined>(undefined);
  const roles = useAgentRoles();
  const now = useNow();
  const { data, error, loading, refresh } = usePolling(async (signal) => {
    const current = await getDocument({ signal });
    let edits: Edit[] = [];
    if (needsAuthors(tracked.current, current)) {
      const steps = current.version - (tracked.current?.version ?? 0);
      // Authors are a nicety: a failure here must not hide the text.
      edits = await getEdits({ limit: Math.min(100, steps + 20), offset: 0 }, { signal })
        .then((page) => page.edits)
        .catch(() => []);
    }
    tracked.current = track(tracked.current, current, edits, Date.now());
    return tracked.current;
  }, POLL_MS);

  if (loading) return <Loading label="Загружаем документ…" />;
  if (!data) return <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />;
  if (!data.documentId)
    return (
      <Empty title="Документ ещё не создан">
        <Link href="/" className="underline">
          Создайте документ
        </Link>{" "}
        — агенты начнут писать его вместе.
      </Empty>
    );

  const text = data.spans.map((s) => s.text).join("");
  const parts: TextPart[] = data.spans.map((span) => {
    const strength = freshness(span.mark, now);
    if (!span.mark || strength === 0) return { text: span.text, kind: "same" };
    const authors = span.mark.authors.map((a) => agentLabel(a, roles));
    const who = authors.length === 0 ? "автор неизвестен" : authors.length === 1 ? authors[0] : `одна из правок: ${authors.join(", ")}`;
    return { text: span.text, kind: "inserted", strength, title: `${who} · версия ${span.mark.version} · ${formatTime(span.mark.at)}` };
  });

  return (
    <div>
      <PageHeader
        title={data.topic || "Документ"}
        subtitle={
          <span data-testid="document-meta">
            Версия <strong data-testid="document-version">{data.version}</strong> · узел {nodeLabel(data.node)} · {formatNumber(text.length)}{" "}
            {plural(text.length, ["символ", "символа", "символов"])} · обновлено {formatTime(data.timestamp)}
          </span>
        }
      >
        <button type="button" className="btn-secondary" onClick={() => saveText(text, documentFilename(data.topic, data.version))}>
          Скачать .txt
        </button>
      </PageHeader>
      <StaleNotice error={error} />
      <div className="grid gap-5 lg:grid-cols-[1fr_18rem]">
        <article className="card min-h-[12rem] sm:p-8" aria-label="Текст документа" data-testid="document-text">
          {text ? <HighlightedText parts={parts} /> : <p className="muted">Документ пуст: агенты ещё не написали ни строчки.</p>}
        </article>
        <aside className="space-y-3">
          <p className="muted">
            Подсвечены фрагменты, изменённые за последние {FADE_MS / 1000} с; подсветка гаснет со временем. Наведите курсор на фрагмент,
            чтобы увидеть автора.
          </p>
          <RecentChanges spans={data.spans} roles={roles} now={now} />
        </aside>
      </div>
    </div>
  );
}
