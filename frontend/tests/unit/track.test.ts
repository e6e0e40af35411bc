import { describe, expect, it } from "vitest";
import type { DocumentState, Edit } from "@/lib/types";
import { needsAuthors, track } from "@/ui/document/track";

const doc = (version: number, text: string, documentId = "d1"): DocumentState => ({
  version,
  text,
  timestamp: "2025-01-01T00:00:00.000Z",
  document_id: documentId,
  version_key: version,
  topic: "Тема",
  node: "a",
});

const edit = (version: number | null, agent: string, text: string, status: Edit["status"] = "accepted"): Edit => ({
  edit_id: `${agent}-${version}`,
  agent_id: agent,
  proposed_text: text,
  position: "end",
  tokens_used: 10,
  status,
  created_at: "2025-01-01T00:00:00.000Z",
  node: "a",
  version_key: version ?? 0,
  base_version: 1,
  version,
  reason: "",
});

describe("track", () => {
  it("shows a new document without highlights", () => {
    const first = track(undefined, doc(1, "Начало."), [], 0);
    expect(first.spans).toEqual([{ text: "Начало." }]);
    const other = track(first, doc(1, "Другой.", "d2"), [], 10);
    expect(other.spans).toEqual([{ text: "Другой." }]);
  });

  it("attributes an inserted fragment to the agent whose edit contains it, ignoring rejected ones", () => {
    const first = track(undefined, doc(1, "Начало."), [], 0);
    const edits = [edit(2, "agent-7", " Продолжение."), edit(null, "agent-9", " Продолжение.", "rejected")];
    expect(needsAuthors(first, doc(2, "Начало. Продолжение."))).toBe(true);
    const second = track(first, doc(2, "Начало. Продолжение."), edits, 1000);
    const marked = second.spans.find((s) => s.mark);
    expect(marked?.mark?.authors).toEqual(["agent-7"]);
    expect(marked?.mark?.version).toBe(2);
  });

  it("lets highlights expire when nothing changes", () => {
    const first = track(undefined, doc(1, "А."), [], 0);
    const second = track(first, doc(2, "А. Б."), [edit(2, "agent-1", " Б.")], 1000);
    const later = track(second, doc(2, "А. Б."), [], 1000 + 60_000);
    expect(later.spans.every((s) => !s.mark)).toBe(true);
  });
});
