import type { ChatMessage } from "@/lib/types";

export const KEEP = 500;

/** `known` plus the `incoming` messages not seen yet, oldest first, at most `keep`. */
export function mergeMessages(known: ChatMessage[], incoming: ChatMessage[], keep = KEEP): ChatMessage[] {
  const seen = new Set(known.map((m) => m.message_id));
  const fresh = incoming.filter((m) => !seen.has(m.message_id));
  if (fresh.length === 0) return known;
  const merged = [...known, ...fresh].sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
  return merged.slice(-keep);
}
