import { ChatFeed } from "@/ui/chat/chat-feed";

export const metadata = { title: "Чат агентов — Chorus" };

export default function ChatPage() {
  return <ChatFeed />;
}
