"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { getAuthorship, getDocument } from "@/lib/api";
import { authorsIn, newestRun, runsToSegments, withGhosts } from "@/lib/authorship";
import { FADE_MS, freshness } from "@/lib/diff";
import { formatNumber, formatTime, plural } from "@/lib/format";
import { nodeLabel } from "@/lib/nodes";
import { useNow, usePolling } from "@/lib/use-polling";
import { useAgentRoles } from "../agents/use-agent-roles";
import { documentFilename, saveText } from "../shell/download";
import { Empty, ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { AuthorLegend, AuthoredText } from "../text/authored-text";
import { authorName } from "./author-name";
import { RecentChanges } from "./recent-changes";
import { GHOST_FADE_MS, type Watched, watch } from "./watch";

const POLL_MS = 2000; // spec: the document every 2 s

/** Spec scenario 7: the current text, polled every 2 s, coloured by author (exact, from the
 * CRDT), recent edits marked, deleted text shown fading. */
export function LiveDocument() {
  const watched = useRef<Watched | undefined>(undefined);
  const roles = useAgentRoles();
  const now = useNow();
  const { data, error, loading, refresh } = usePolling(async (signal) => {
    const [current, authorship] = await Promise.all([
      getDocument({ signal }),
      // Authors are a nicety: an older node without the endpoint, or a failure, shows plain text.
      getAuthorship(undefined, { signal }).catch(() => null),
    ]);
    watched.current = watch(watched.current, current, authorship, Date.now());
    return watched.current;
  }, POLL_MS);

  const newestFresh = freshestEdit(data);
  const offScreen = useOffScreen(newestFresh);

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

  const label = (agentId: string) => authorName(agentId, roles);
  const segments = data.runs ? runsToSegments(data.text, data.runs) : [{ text: data.text, start: 0, end: data.text.length, run: null }];
  const fresh = new Map<string, number>();
  for (const [edit, at] of data.seen) {
    const strength = freshness({ at }, now);
    if (strength > 0) fresh.set(edit, strength);
  }
  const newest = newestRun(segments);
  const toNewest = () => {
    if (!newest) return;
    const element = document.querySelector<HTMLElement>(`[data-testid="document-text"] [data-edit="${newest.edit_id}"]`);
    element?.scrollIntoView({ behavior: "smooth", block: "center" });
    element?.animate?.([{ outlineColor: "rgb(245 158 11)", outlineWidth: "4px", outlineStyle: "solid" }, { outlineWidth: "0px" }], { duration: 1600 });
  };

  return (
    <div>
      <PageHeader
        title={data.topic || "Документ"}
        subtitle={
          <span data-testid="document-meta">
            Версия <strong data-testid="document-version">{data.version}</strong> · узел {nodeLabel(data.node)} · {formatNumber(data.text.length)}{" "}
            {plural(data.text.length, ["символ", "символа", "символов"])} · обновлено {formatTime(data.timestamp)}
          </span>
        }
      >
        {offScreen && newestFresh && (
          <button
            type="button"
            onClick={toNewest}
            className="btn-primary fixed bottom-4 right-4 z-30 shadow-lg"
            data-testid="new-edit-below"
          >
            {offScreen === "below" ? "↓" : "↑"} Новая правка {offScreen === "below" ? "ниже" : "выше"}: {label(newestFresh.agent)}
          </button>
        )}
        <button type="button" className="btn-secondary" onClick={toNewest} disabled={!newest} data-testid="to-newest">
          К последней правке
        </button>
        <button type="button" className="btn-secondary" onClick={() => saveText(data.text, documentFilename(data.topic, data.version))}>
          Скачать .txt
        </button>
      </PageHeader>
      <StaleNotice error={error} />
      <div className="grid gap-5 lg:grid-cols-[1fr_18rem]">
        <article className="card min-h-[12rem] sm:p-8" aria-label="Текст документа" data-testid="document-text" data-version={data.version} data-authorship={data.runs ? "runs" : "none"}>
          {data.text ? (
            <AuthoredText
              pieces={withGhosts(segments, data.ghosts)}
              fresh={fresh}
              ghostOpacity={(since) => Math.max(0, 1 - (now - since) / GHOST_FADE_MS)}
              label={label}
            />
          ) : (
            <p className="muted">Документ пуст: агенты ещё не написали ни строчки.</p>
          )}
        </article>
        <aside className="space-y-3">
          {data.runs ? (
            <>
              <div className="card">
                <h2 className="mb-2 text-sm font-semibold">Авторы текста</h2>
                <AuthorLegend authors={authorsIn(segments)} total={Array.from(data.text).length} label={label} />
              </div>
              <p className="muted">
                Цвет — автор каждого символа (по данным CRDT). Правки последних {FADE_MS / 1000} с выделены ярче и подчёркнуты, удалённый текст зачёркнут и гаснет.
                Наведите курсор на фрагмент, чтобы увидеть правку.
              </p>
              <RecentChanges segments={segments} fresh={fresh} seen={data.seen} label={label} now={now} />
            </>
          ) : (
            <p className="muted" data-testid="no-authorship">
              Узел не сообщает авторство символов (старая версия Text Service): текст показан без разметки.
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}

/** The newest edit whose text is still marked as fresh, if any. */
function freshestEdit(data: Watched | undefined): { edit: string; agent: string } | null {
  if (!data?.runs) return null;
  let best: { edit: string; agent: string; version: number } | null = null;
  for (const run of data.runs) {
    const seen = data.seen.get(run.edit_id);
    if (seen === undefined || Date.now() - seen >= FADE_MS) continue;
    if (!best || run.version > best.version) best = { edit: run.edit_id, agent: run.agent_id, version: run.version };
  }
  return best;
}

/** Whether the text of `edit` lies below or above the window (null: visible, or none). A new
 * edit at the end of a long document is otherwise changed out of sight. */
function useOffScreen(edit: { edit: string } | null): "below" | "above" | null {
  const [where, setWhere] = useState<"below" | "above" | null>(null);
  const id = edit?.edit ?? null;
  useEffect(() => {
    if (!id) {
      setWhere(null);
      return;
    }
    const check = () => {
      const element = document.querySelector<HTMLElement>(`[data-testid="document-text"] [data-edit="${id}"]`);
      const box = element?.getBoundingClientRect();
      setWhere(!box ? null : box.top > window.innerHeight ? "below" : box.bottom < 0 ? "above" : null);
    };
    check();
    window.addEventListener("scroll", check, { passive: true });
    window.addEventListener("resize", check);
    return () => {
      window.removeEventListener("scroll", check);
      window.removeEventListener("resize", check);
    };
  }, [id]);
  return where;
}
