import { getDocument } from "@/lib/api";

/** Save `text` as a UTF-8 .txt file in the browser. */
export function saveText(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function documentFilename(topic: string, version: number): string {
  const slug = topic.trim().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").slice(0, 60) || "document";
  return `chorus-${slug}-v${version}.txt`;
}

/** Fetch the current document and save it. */
export async function downloadCurrentDocument(): Promise<void> {
  const current = await getDocument();
  saveText(current.text, documentFilename(current.topic, current.version));
}
