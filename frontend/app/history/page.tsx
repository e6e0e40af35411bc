import { HistoryViewer } from "@/ui/history/history-viewer";

export const metadata = { title: "История версий — Chorus" };

export default async function HistoryPage({ searchParams }: { searchParams: Promise<{ version?: string }> }) {
  const { version } = await searchParams;
  const chosen = Number(version);
  return <HistoryViewer initialVersion={Number.isInteger(chosen) && chosen >= 1 ? chosen : null} />;
}
