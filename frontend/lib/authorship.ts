/** Who wrote which characters, as the document views draw it: GET /api/document/authorship
 * gives runs (start, end, edit, agent, version) taken from the CRDT's character ids; these pure
 * functions turn them into coloured segments, place deleted text as ghosts, and give every
 * agent a stable colour. Only relative imports: the browser tests import this file too. */

import fastDiff from "fast-diff";
import type { AuthorRun } from "./types";

/** Characters of the text, all written by one edit (run null: nobody known). */
export interface Segment {
  text: string;
  start: number;
  end: number;
  run: AuthorRun | null;
}

/** Deleted text, shown struck through at `at` (an offset into the current text). */
export interface Ghost {
  at: number;
  text: string;
  /** When the dashboard saw it go (ms since epoch); the ghost fades from then. */
  since: number;
}

/** What the view draws, in order: the text's segments with ghosts between them. */
export type Piece = { kind: "text"; segment: Segment } | { kind: "ghost"; ghost: Ghost };

/** 32-bit FNV-1a of a string: a stable hash, the same in every browser and in the tests. */
export function hash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Hues far enough apart to tell agents apart, neighbours in the list far apart on the wheel. */
const HUES = [215, 28, 135, 350, 270, 180, 50, 300, 95, 195, 10, 245];

/** An agent's place in the palette: `agent-N` takes colour N (so the ten agents of a run never
 * share one), any other id the colour its hash picks. Either way the same on every page, every
 * reload and every machine. */
export function paletteIndex(agentId: string): number {
  const numbered = /^agent-(\d+)$/.exec(agentId);
  const index = numbered ? Number(numbered[1]) - 1 : hash(agentId);
  return index % HUES.length;
}

export interface AgentColor {
  /** Text background (a light tint, readable in both themes). */
  background: string;
  /** Swatch and underline colour. */
  solid: string;
}

/** The colour of an agent's text. The operator and unknown authors are a neutral grey. */
export function agentColor(agentId: string): AgentColor {
  if (!agentId || agentId === "operator") return { background: "rgba(148, 163, 184, 0.16)", solid: "rgb(100, 116, 139)" };
  const hue = HUES[paletteIndex(agentId)];
  return { background: `hsla(${hue}, 85%, 55%, 0.2)`, solid: `hsl(${hue}, 70%, 45%)` };
}

/** The text cut along the runs. Runs are contiguous and cover the text; should they not (a
 * newer text than the runs), the uncovered parts become segments with no author. */
export function runsToSegments(text: string, runs: AuthorRun[]): Segment[] {
  const chars = Array.from(text); // offsets are code points
  const slice = (start: number, end: number) => chars.slice(start, end).join("");
  const segments: Segment[] = [];
  let at = 0;
  for (const run of [...runs].sort((x, y) => x.start - y.start)) {
    const start = Math.max(run.start, at);
    const end = Math.min(run.end, chars.length);
    if (start > at) segments.push({ text: slice(at, start), start: at, end: start, run: null });
    if (end > start) segments.push({ text: slice(start, end), start, end, run });
    at = Math.max(at, end);
  }
  if (at < chars.length) segments.push({ text: slice(at, chars.length), start: at, end: chars.length, run: null });
  return segments;
}

/** The agents in the text with how many characters each wrote, most first. */
export function authorsIn(segments: Segment[]): { agentId: string; chars: number }[] {
  const counts = new Map<string, number>();
  for (const { run, start, end } of segments) {
    const agent = run?.agent_id ?? "";
    counts.set(agent, (counts.get(agent) ?? 0) + (end - start));
  }
  return [...counts.entries()].map(([agentId, chars]) => ({ agentId, chars })).sort((x, y) => y.chars - x.chars);
}

/** The text `before` lost on its way to `after`: each deleted fragment and where it stood
 * (an offset into `after`, in code points). Whitespace-only losses are left out. */
export function deletions(before: string, after: string, now: number): Ghost[] {
  const ghosts: Ghost[] = [];
  let at = 0;
  for (const [op, text] of fastDiff(before, after, undefined, true)) {
    if (op === fastDiff.DELETE) {
      if (text.trim()) ghosts.push({ at, text, since: now });
    } else {
      at += Array.from(text).length;
    }
  }
  return ghosts;
}

/** Where offset `position` of `before` ends up in `after` (for ghosts that outlive a version). */
export function mapOffset(before: string, after: string, position: number): number {
  let old = 0;
  let next = 0;
  for (const [op, text] of fastDiff(before, after, undefined, true)) {
    const length = Array.from(text).length;
    if (op === fastDiff.INSERT) {
      if (old <= position) next += length;
      continue;
    }
    if (old + length > position) return op === fastDiff.EQUAL ? next + (position - old) : next;
    old += length;
    if (op === fastDiff.EQUAL) next += length;
  }
  return next;
}

/** Ghosts still younger than `fadeMs`, moved from `before` into `after`, plus the new ones. */
export function carryGhosts(ghosts: Ghost[], before: string, after: string, now: number, fadeMs: number): Ghost[] {
  const kept = ghosts
    .filter((ghost) => now - ghost.since < fadeMs)
    .map((ghost) => (before === after ? ghost : { ...ghost, at: mapOffset(before, after, ghost.at) }));
  return before === after ? kept : [...kept, ...deletions(before, after, now)];
}

/** Segments and ghosts in reading order: a ghost goes where its offset falls, splitting a
 * segment when it falls inside one. */
export function withGhosts(segments: Segment[], ghosts: Ghost[]): Piece[] {
  const pending = [...ghosts].sort((x, y) => x.at - y.at);
  const pieces: Piece[] = [];
  let g = 0;
  for (const segment of segments) {
    let current = segment;
    while (g < pending.length && pending[g].at < current.end) {
      const ghost = pending[g++];
      if (ghost.at > current.start) {
        const cut = ghost.at - current.start;
        const chars = Array.from(current.text);
        pieces.push({ kind: "text", segment: { ...current, text: chars.slice(0, cut).join(""), end: ghost.at } });
        current = { ...current, text: chars.slice(cut).join(""), start: ghost.at };
      }
      pieces.push({ kind: "ghost", ghost });
    }
    pieces.push({ kind: "text", segment: current });
  }
  while (g < pending.length) pieces.push({ kind: "ghost", ghost: pending[g++] });
  return pieces;
}

/** The newest run (highest version): where «к последней правке» scrolls to. */
export function newestRun(segments: Segment[]): AuthorRun | null {
  let newest: AuthorRun | null = null;
  for (const { run } of segments) if (run && (!newest || run.version > newest.version)) newest = run;
  return newest;
}
