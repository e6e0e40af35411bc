import { EditsBrowser } from "@/ui/edits/edits-browser";

export const metadata = { title: "Правки — Chorus" };

export default function EditsPage() {
  return <EditsBrowser />;
}
