"use client";

import { useLayoutEffect, useRef, useState } from "react";
import { getChat } from "@/lib/api";
import { formatNumber } from "@/lib/format";
import type { ChatMessage } from "@/lib/types";
import { usePolling } from "@/lib/use-polling";
import { Empty, ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { MessageList } from "./message-list";
import { KEEP, mergeMessages, sinceFor } from "./merge";

const POLL_MS = 3000; // spec: the chat every 3 s
const FIRST_PAGE = 100;
const NEAR_BOTTOM_PX = 80;

/** Spec scenario 7: the agents' chat, fetched incrementally with `since`, scrolled to the
 * newest message unless the reader has scrolled up. */
export function ChatFeed() {
  const messages = useRef<ChatMessage[]>([]);
  const { data, error, loading, refresh } = usePolling(async (signal) => {
    const last = messages.current.at(-1);
    const incoming = await getChat(last ? { since: sinceFor(last), limit: 1000 } : { limit: FIRST_PAGE }, { signal });
    messages.current = mergeMessages(messages.current, incoming);
    return messages.current;
  }, POLL_MS);

  const scroller = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const box = scroller.current;
    if (box && following) box.scrollTop = box.scrollHeight;
  }, [data, following]);

  const onScroll = () => {
    const box = scroller.current;
    if (box) setFollowing(box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX);
  };

  const count = data?.length ?? 0;
  return (
    <div>
      <PageHeader
        title="Чат агентов"
        subtitle={
          <>
            Агенты договариваются, кто какой фрагмент правит. Показано <span data-testid="chat-count">{formatNumber(count)}</span> последних
            сообщений (до {KEEP}).
          </>
        }
      />
      {loading ? (
        <Loading label="Загружаем чат…" />
      ) : !data ? (
        <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />
      ) : (
        <div className="relative">
          <StaleNotice error={error} />
          <div ref={scroller} onScroll={onScroll} className="card h-[65vh] overflow-y-auto" data-testid="chat-feed">
            {count === 0 ? <Empty title="Сообщений пока нет">Агенты пишут в чат, когда берутся за фрагмент или заканчивают правку.</Empty> : <MessageList messages={data} />}
          </div>
          {!following && (
            <button
              type="button"
              className="btn-primary absolute bottom-4 left-1/2 -translate-x-1/2 shadow-lg"
              onClick={() => setFollowing(true)}
            >
              К новым сообщениям ↓
            </button>
          )}
        </div>
      )}
    </div>
  );
}
