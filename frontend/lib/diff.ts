/** Text differences (the history's fallback where a node has no authorship runs) and how a
 * highlight fades with age. Who wrote what comes from the CRDT (lib/authorship.ts), never from
 * guessing over a diff. */

import fastDiff from "fast-diff";

export interface Mark {
  /** When the dashboard saw the fragment appear (ms since epoch). */
  at: number;
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

/** 1 for a fragment that has just appeared, falling to 0 at `fadeMs`. */
export function freshness(mark: Mark | undefined, now: number, fadeMs = FADE_MS): number {
  if (!mark) return 0;
  return Math.max(0, Math.min(1, 1 - (now - mark.at) / fadeMs));
}
