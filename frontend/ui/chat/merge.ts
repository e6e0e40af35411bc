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

/** The `since` for the next poll: 1 ms before the newest message, because `since` is strict
 * and another message may carry the same millisecond; the repeat is dropped by id. */
export function sinceFor(newest: ChatMessage): string {
  const at = Date.parse(newest.timestamp);
  return Number.isNaN(at) ? newest.timestamp : new Date(at - 1).toISOString();
}
