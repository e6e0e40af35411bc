import { getAuthorship, getChat, getVersion, getVersions } from "@/lib/api";
import type { Authorship, ChatMessage, DocumentState, VersionEntry } from "@/lib/types";

/** Chat messages within this many ms of a version count as "around" it. */
export const CHAT_WINDOW_MS = 60_000;

export interface VersionDetail {
  current: DocumentState;
  previousText: string | null;
  entry: VersionEntry | undefined;
  chat: ChatMessage[];
  /** Who wrote each character of this version; null where the node has no such endpoint. */
  authorship: Authorship | null;
}

const WINDOW = 40;

/** The version list entry of `version`. The list is addressed by offset from the newest
 * version, and the nodes behind the balancer may each be a few versions ahead or behind
 * `total`: a window around the estimate finds it; a second try re-centres on what came back. */
async function entryOf(version: number, total: number, signal: AbortSignal): Promise<VersionEntry | undefined> {
  let newest = total;
  for (let attempt = 0; attempt < 2; attempt++) {
    const offset = Math.max(0, newest - version - WINDOW / 2);
    const { versions } = await getVersions(WINDOW, offset, { signal });
    const entry = versions.find((candidate) => candidate.version === version);
    if (entry || versions.length === 0) return entry;
    newest = versions[0].version + offset;
  }
  return undefined;
}

/** Everything the history screen shows for one version. */
export async function loadVersion(version: number, total: number, signal: AbortSignal): Promise<VersionDetail> {
  const [current, previous, entry, authorship] = await Promise.all([
    getVersion(version, { signal }),
    version > 1 ? getVersion(version - 1, { signal }) : Promise.resolve(null),
    entryOf(version, total, signal),
    getAuthorship(version, { signal }).catch(() => null),
  ]);
  const at = new Date(current.timestamp).getTime();
  const around = await getChat({ since: new Date(at - CHAT_WINDOW_MS).toISOString(), limit: 200 }, { signal }).catch(() => []);
  return {
    current,
    previousText: previous?.text ?? null,
    entry,
    authorship: authorship && authorship.version === version && authorship.text === current.text ? authorship : null,
    chat: around.filter((m) => new Date(m.timestamp).getTime() <= at + CHAT_WINDOW_MS),
  };
}
