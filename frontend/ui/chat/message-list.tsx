import { formatTime } from "@/lib/format";
import type { ChatMessage } from "@/lib/types";

const HUES = [210, 150, 30, 280, 340, 190, 90, 0, 250, 120, 50];

/** A stable colour per agent, so a conversation is easy to follow. */
export function agentHue(agentId: string): number {
  let hash = 0;
  for (const char of agentId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return HUES[hash % HUES.length];
}

export function MessageList({ messages, highlight }: { messages: ChatMessage[]; highlight?: (m: ChatMessage) => boolean }) {
  return (
    <ol className="space-y-2" aria-label="Сообщения агентов">
      {messages.map((message) => (
        <li
          key={message.message_id}
          data-testid="chat-message"
          className={`rounded-lg px-3 py-2 ${highlight?.(message) ? "bg-amber-100/70 dark:bg-amber-500/10" : "bg-slate-100/70 dark:bg-slate-800/60"}`}
        >
          <div className="flex items-baseline gap-2 text-xs">
            <span className="font-semibold" style={{ color: `hsl(${agentHue(message.agent_id)} 65% 45%)` }}>
              {message.agent_id}
            </span>
            <time className="muted tabular-nums" dateTime={message.timestamp}>
              {formatTime(message.timestamp)}
            </time>
          </div>
          <p className="mt-0.5 whitespace-pre-wrap break-words text-sm">{message.message}</p>
        </li>
      ))}
    </ol>
  );
}
