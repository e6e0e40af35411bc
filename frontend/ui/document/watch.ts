import { type Ghost, carryGhosts } from "@/lib/authorship";
import type { AuthorRun, Authorship, DocumentState } from "@/lib/types";

/** How long deleted text stays on screen, fading. */
export const GHOST_FADE_MS = 12_000;

/** What the live view remembers between polls. */
export interface Watched {
  documentId: string | null;
  topic: string;
  version: number;
  node: string;
  timestamp: string;
  text: string;
  /** The authorship runs of `text`; null where the node has no authorship endpoint. */
  runs: AuthorRun[] | null;
  ghosts: Ghost[];
  /** edit_id → when its text first appeared (ms since epoch): the dashboard's own clock for
   * edits that arrive while it watches, the edit's timestamp for those there at the start. */
  seen: Map<string, number>;
}

/** The next state after a poll answered `current` (and `authorship`, when the node has it).
 * The balancer's nodes may each be a version or two apart: an answer older than what is shown
 * is ignored, so the text never steps back. */
export function watch(previous: Watched | undefined, current: DocumentState, authorship: Authorship | null, now: number): Watched {
  const sameDocument = previous !== undefined && previous.documentId === current.document_id;
  const useRuns = authorship !== null && authorship.document_id === current.document_id;
  const version = useRuns ? authorship.version : current.version;
  if (sameDocument && version < previous.version) return previous;
  const text = useRuns ? authorship.text : current.text;
  const seen = new Map(sameDocument ? previous.seen : []);
  for (const run of useRuns ? authorship.runs : []) {
    if (seen.has(run.edit_id)) continue;
    const stamped = Date.parse(run.timestamp);
    seen.set(run.edit_id, sameDocument && previous.runs !== null ? now : Number.isNaN(stamped) ? 0 : Math.min(stamped, now));
  }
  return {
    documentId: current.document_id,
    topic: current.topic,
    version,
    node: useRuns ? authorship.node : current.node,
    timestamp: current.timestamp,
    text,
    runs: useRuns ? authorship.runs : null,
    ghosts: sameDocument ? carryGhosts(previous.ghosts, previous.text, text, now, GHOST_FADE_MS) : [],
    seen,
  };
}
