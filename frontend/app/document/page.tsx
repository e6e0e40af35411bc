import { LiveDocument } from "@/ui/document/live-document";

export const metadata = { title: "Документ — Chorus" };

export default function DocumentPage() {
  return <LiveDocument />;
}
