/** Text differences for highlighting: which fragments a new version inserted, and how long ago.
 *
 * The live document keeps its text as spans; a span inserted by a recent version carries a
 * `Mark` (when, by whom). On each new version the old spans are carried over the diff, so an
 * older highlight survives a later edit elsewhere and fades on its own clock.
 */

import fastDiff from "fast-diff";

export interface Mark {
  /** When the dashboard saw the fragment appear (ms since epoch). */
  at: number;
  /** Who wrote it: one agent, or several when one poll brought several edits. */
  authors: string[];
  version: number;
}

export interface Span {
  text: string;
  mark?: Mark;
}

export type SegmentKind = "same" | "inserted" | "deleted";

export interface Segment {
  kind: SegmentKind;
  text: string;
}

/** How long a highlight stays visible. */
export const FADE_MS = 30_000;

/** `before` → `after` as same/inserted/deleted runs, cleaned up to whole words where possible. */
export function diffSegments(before: string, after: string): Segment[] {
  const kinds: Record<number, SegmentKind> = { [-1]: "deleted", 0: "same", 1: "inserted" };
  return fastDiff(before, after, undefined, true)
    .filter(([, text]) => text.length > 0)
    .map(([op, text]) => ({ kind: kinds[op], text }));
}

/** The text of `spans` made into `next`: unchanged characters keep their marks, inserted
 * runs get `markFor(run)`, deleted characters go. */
export function carryMarks(spans: Span[], next: string, markFor: (inserted: string) => Mark): Span[] {
  const before = spans.map((span) => span.text).join("");
  const result: Span[] = [];
  let index = 0; // span being read
  let offset = 0; // characters of spans[index] already consumed

  const take = (length: number, keep: boolean) => {
    while (length > 0) {
      const span = spans[index];
      const count = Math.min(length, span.text.length - offset);
      if (keep) result.push({ text: span.text.slice(offset, offset + count), mark: span.mark });
      offset += count;
      length -= count;
      if (offset === span.text.length) {
        index += 1;
        offset = 0;
      }
    }
  };

  for (const segment of diffSegments(before, next)) {
    if (segment.kind === "inserted") result.push({ text: segment.text, mark: markFor(segment.text) });
    else take(segment.text.length, segment.kind === "same");
  }
  return merge(result);
}

/** Drop marks older than `fadeMs` and join neighbours that now look the same. */
export function expireMarks(spans: Span[], now: number, fadeMs = FADE_MS): Span[] {
  return merge(spans.map((span) => (span.mark && now - span.mark.at >= fadeMs ? { text: span.text } : span)));
}

/** 1 for a fragment that has just appeared, falling to 0 at `fadeMs`. */
export function freshness(mark: Mark | undefined, now: number, fadeMs = FADE_MS): number {
  if (!mark) return 0;
  return Math.max(0, Math.min(1, 1 - (now - mark.at) / fadeMs));
}

function merge(spans: Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of spans) {
    if (span.text.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.mark === span.mark) last.text += span.text;
    else merged.push({ ...span });
  }
  return merged;
}

/** Who among `candidates` (agent, inserted text) wrote `inserted`: those whose text contains
 * the run or is contained in it; all of them when nothing matches. */
export function authorsOf(inserted: string, candidates: { agent: string; text: string }[]): string[] {
  const run = inserted.trim();
  const matching = run
    ? candidates.filter(({ text }) => text.includes(run) || (text.trim() !== "" && run.includes(text.trim())))
    : [];
  const chosen = matching.length > 0 ? matching : candidates;
  return [...new Set(chosen.map(({ agent }) => agent))];
}
