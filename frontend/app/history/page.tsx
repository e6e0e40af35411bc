import { HistoryViewer } from "@/ui/history/history-viewer";

export const metadata = { title: "История версий — Chorus" };

export default function HistoryPage() {
  return <HistoryViewer />;
}
