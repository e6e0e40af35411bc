import { describe, expect, it } from "vitest";
import type { VersionEntry } from "@/lib/types";
import { loadVersion } from "@/ui/history/load-version";
import { stubFetch } from "./fetch-stub";

const entry = (version: number): VersionEntry => ({
  version,
  version_key: version * 4,
  edit_id: `e${version}`,
  agent_id: `agent-${version % 3}`,
  kind: "append",
  status: "accepted",
  tokens_used: 100,
  node: "b",
  timestamp: "2025-01-01T12:00:00.000Z",
});

/** A node that is `ahead` versions further than the dashboard last saw. */
function versionsOf(total: number) {
  return (url: URL) => {
    const limit = Number(url.searchParams.get("limit"));
    const offset = Number(url.searchParams.get("offset"));
    const versions = [];
    for (let v = total - offset; v > Math.max(0, total - offset - limit); v--) versions.push(entry(v));
    return { document_id: "d1", total, versions };
  };
}

describe("loadVersion", () => {
  it("finds the version's edit although the node answering is ahead of the slider's total", async () => {
    stubFetch({
      "/api/document/versions": versionsOf(80),
      "/api/document/versions/7": { version: 7, text: "АБВ", timestamp: "2025-01-01T12:00:00.000Z", document_id: "d1", version_key: 28, topic: "", node: "a" },
      "/api/document/versions/6": { version: 6, text: "АБ", timestamp: "2025-01-01T11:59:59.000Z", document_id: "d1", version_key: 24, topic: "", node: "a" },
      "/api/chat/messages": [
        { agent_id: "agent-1", message: "рядом", timestamp: "2025-01-01T12:00:10.000Z", message_id: "m1" },
        { agent_id: "agent-2", message: "позже", timestamp: "2025-01-01T12:05:00.000Z", message_id: "m2" },
      ],
    });
    const detail = await loadVersion(7, 30, new AbortController().signal);
    expect(detail.entry?.edit_id).toBe("e7");
    expect(detail.previousText).toBe("АБ");
    expect(detail.current.text).toBe("АБВ");
    expect(detail.chat.map((m) => m.message)).toEqual(["рядом"]);
  });
});
