import { type Mark, type Span, authorsOf, carryMarks, expireMarks } from "@/lib/diff";
import type { DocumentState, Edit } from "@/lib/types";

/** What the live view remembers between polls. */
export interface Tracked {
  documentId: string | null;
  topic: string;
  version: number;
  node: string;
  timestamp: string;
  spans: Span[];
}

/** The edits that may explain the step from `fromVersion` to `toVersion`: applied ones (not
 * rejected) whose version lies in between. */
export function candidatesFor(edits: Edit[], fromVersion: number, toVersion: number) {
  return edits
    .filter((e) => e.status !== "rejected" && e.version !== null && e.version > fromVersion && e.version <= toVersion)
    .map((e) => ({ agent: e.agent_id, text: e.proposed_text }));
}

/** The next state after a poll answered `current`; `edits` are the newest edits (for authors). */
export function track(previous: Tracked | undefined, current: DocumentState, edits: Edit[], now: number): Tracked {
  const base = {
    documentId: current.document_id,
    topic: current.topic,
    version: current.version,
    node: current.node,
    timestamp: current.timestamp,
  };
  if (!previous || previous.documentId !== current.document_id) {
    return { ...base, spans: current.text ? [{ text: current.text }] : [] };
  }
  const before = previous.spans.map((s) => s.text).join("");
  if (before === current.text) return { ...base, spans: expireMarks(previous.spans, now) };
  const candidates = candidatesFor(edits, previous.version, current.version);
  const markFor = (inserted: string): Mark => ({
    at: now,
    authors: authorsOf(inserted, candidates),
    version: current.version,
  });
  return { ...base, spans: expireMarks(carryMarks(previous.spans, current.text, markFor), now) };
}

/** True when the text changed since `previous`, so it is worth asking who changed it. */
export function needsAuthors(previous: Tracked | undefined, current: DocumentState): boolean {
  return (
    previous !== undefined &&
    previous.documentId === current.document_id &&
    current.version > previous.version
  );
}
