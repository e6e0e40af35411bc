import { getChat, getVersion, getVersions } from "@/lib/api";
import type { ChatMessage, DocumentState, VersionEntry } from "@/lib/types";

/** Chat messages within this many ms of a version count as "around" it. */
export const CHAT_WINDOW_MS = 60_000;

export interface VersionDetail {
  current: DocumentState;
  previousText: string | null;
  entry: VersionEntry | undefined;
  chat: ChatMessage[];
}

/** The version list entry of `version`. Offsets count from the newest version, which may have
 * moved on since `total` was read: one correction step finds it again. */
async function entryOf(version: number, total: number, signal: AbortSignal): Promise<VersionEntry | undefined> {
  let offset = Math.max(0, total - version);
  for (let attempt = 0; attempt < 2; attempt++) {
    const [entry] = (await getVersions(1, offset, { signal })).versions;
    if (!entry || entry.version === version) return entry;
    offset = Math.max(0, offset + entry.version - version);
  }
  return undefined;
}

/** Everything the history screen shows for one version. */
export async function loadVersion(version: number, total: number, signal: AbortSignal): Promise<VersionDetail> {
  const [current, previous, entry] = await Promise.all([
    getVersion(version, { signal }),
    version > 1 ? getVersion(version - 1, { signal }) : Promise.resolve(null),
    entryOf(version, total, signal),
  ]);
  const at = new Date(current.timestamp).getTime();
  const around = await getChat({ since: new Date(at - CHAT_WINDOW_MS).toISOString(), limit: 200 }, { signal }).catch(() => []);
  return {
    current,
    previousText: previous?.text ?? null,
    entry,
    chat: around.filter((m) => new Date(m.timestamp).getTime() <= at + CHAT_WINDOW_MS),
  };
}
