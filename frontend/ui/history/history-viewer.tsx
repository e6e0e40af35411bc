"use client";

import Link from "next/link";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";
import { getVersions } from "@/lib/api";
import { authorsIn, deletions, runsToSegments, withGhosts } from "@/lib/authorship";
import { diffSegments } from "@/lib/diff";
import { usePolling } from "@/lib/use-polling";
import { useAgentRoles } from "../agents/use-agent-roles";
import { authorName } from "../document/author-name";
import { MessageList } from "../chat/message-list";
import { Empty, ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { AuthorLegend, AuthoredText } from "../text/authored-text";
import { HighlightedText, type TextPart } from "../text/highlighted-text";
import { CHAT_WINDOW_MS, loadVersion } from "./load-version";
import { Provenance } from "./provenance";
import { TimeSlider } from "./time-slider";

const TOTAL_POLL_MS = 5000;

/** Every version of the document on a time slider: its text with the change highlighted, the
 * edit that made it, and what the agents said around that moment. */
export function HistoryViewer({ initialVersion = null }: { initialVersion?: number | null }) {
  const latest = usePolling((signal) => getVersions(1, 0, { signal }), TOTAL_POLL_MS);
  const [chosen, setChosen] = useState<number | null>(initialVersion); // null: follow the newest
  const [playing, setPlaying] = useState(false);

  if (latest.loading) return <Loading label="Загружаем историю…" />;
  if (!latest.data) return <ErrorNotice error={latest.error ?? new Error("нет ответа")} onRetry={latest.refresh} />;
  const { total, document_id: documentId } = latest.data;
  if (!documentId || total === 0)
    return (
      <Empty title="Истории пока нет">
        <Link href="/" className="underline">
          Создайте документ
        </Link>
        , и здесь появится каждая его версия.
      </Empty>
    );
  const version = Math.min(chosen ?? total, total);
  return (
    <div className="space-y-4">
      <PageHeader title="История версий" subtitle="Передвиньте ползунок, чтобы увидеть документ в любой момент: изменение подсвечено, справа — кто и как его сделал." />
      <StaleNotice error={latest.error} />
      <TimeSlider value={version} total={total} playing={playing} onChange={setChosen} onPlaying={setPlaying} />
      <VersionView key={documentId} documentId={documentId} version={version} total={total} />
    </div>
  );
}

function VersionView({ documentId, version, total }: { documentId: string; version: number; total: number }) {
  const roles = useAgentRoles();
  const { data, error, loading } = usePolling((signal) => loadVersion(version, total, signal), null, `${documentId}:${version}`);
  const textBox = useRef<HTMLDivElement>(null);

  // Bring the change into view inside the text box.
  useLayoutEffect(() => {
    const box = textBox.current;
    const change = box?.querySelector<HTMLElement>("[data-change]");
    if (box && change) box.scrollTop = Math.max(0, change.offsetTop - box.clientHeight / 3);
  }, [data]);

  if (loading) return <Loading label={`Загружаем версию ${version}…`} />;
  if (!data || (error && data.current.version !== version)) return <ErrorNotice error={error ?? new Error("нет ответа")} />;
  const { current, previousText, entry, chat, authorship } = data;
  const at = new Date(current.timestamp).getTime();
  const label = (agentId: string) => authorName(agentId, roles);
  let body: ReactNode;
  let legend: ReactNode = null;
  if (authorship) {
    // Exact authors from the CRDT; this version's own edit outlined, what it deleted struck through.
    const segments = runsToSegments(authorship.text, authorship.runs);
    const ghosts = previousText === null ? [] : deletions(previousText, authorship.text, at);
    const fresh = new Map(authorship.runs.filter((r) => r.version === current.version).map((r) => [r.edit_id, 1]));
    body = <AuthoredText pieces={withGhosts(segments, ghosts)} fresh={fresh} ghostOpacity={() => 1} label={label} />;
    legend = (
      <section className="card" aria-label="Авторы версии">
        <h2 className="mb-2 text-sm font-semibold">Авторы текста версии {current.version}</h2>
        <AuthorLegend authors={authorsIn(segments)} total={Array.from(authorship.text).length} label={label} />
      </section>
    );
  } else {
    const who = entry ? `${entry.agent_id} · версия ${current.version}` : `версия ${current.version}`;
    const parts: TextPart[] =
      previousText === null
        ? [{ text: current.text, kind: "same" }]
        : diffSegments(previousText, current.text).map((s) => ({ ...s, title: s.kind === "same" ? undefined : who }));
    body = <HighlightedText parts={parts} />;
  }

  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_20rem]" aria-busy={data.current.version !== version}>
      <article
        ref={textBox}
        className="card relative max-h-[70vh] overflow-y-auto sm:p-6"
        data-testid="history-text"
        data-version={current.version}
        data-authorship={authorship ? "runs" : "none"}
        aria-label={`Текст версии ${current.version}`}
      >
        {current.text ? body : <p className="muted">В этой версии документ пуст.</p>}
      </article>
      <aside className="space-y-4">
        {entry && <Provenance entry={entry} role={roles.get(entry.agent_id)} />}
        {legend}
        <section className="card" aria-label="Чат в это время">
          <h2 className="mb-2 text-sm font-semibold">Чат ±{CHAT_WINDOW_MS / 1000} с</h2>
          {chat.length === 0 ? (
            <p className="muted">В это время агенты ничего не писали (или сообщения уже вытеснены из чата).</p>
          ) : (
            <div className="max-h-[40vh] overflow-y-auto">
              <MessageList messages={chat} highlight={(m) => Math.abs(new Date(m.timestamp).getTime() - at) < 5000} />
            </div>
          )}
        </section>
      </aside>
    </div>
  );
}
