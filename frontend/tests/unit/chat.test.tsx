import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@/lib/types";
import { ChatFeed } from "@/ui/chat/chat-feed";
import { mergeMessages } from "@/ui/chat/merge";
import { stubFetch } from "./fetch-stub";

const message = (n: number, second = n): ChatMessage => ({
  agent_id: `agent-${n}`,
  message: `Беру абзац ${n}`,
  timestamp: `2025-01-01T12:00:${String(second).padStart(2, "0")}.000Z`,
  message_id: `m${n}`,
});

describe("mergeMessages", () => {
  it("adds only unseen messages, oldest first, and keeps the newest ones", () => {
    const known = [message(1), message(3)];
    const merged = mergeMessages(known, [message(3), message(2), message(4)]);
    expect(merged.map((m) => m.message_id)).toEqual(["m1", "m2", "m3", "m4"]);
    expect(mergeMessages(known, [message(1)])).toBe(known);
    expect(mergeMessages(merged, [], 2)).toBe(merged);
    expect(mergeMessages(merged, [message(5)], 2).map((m) => m.message_id)).toEqual(["m4", "m5"]);
  });
});

describe("ChatFeed", () => {
  it("shows the latest messages first fetched without `since`", async () => {
    const calls = stubFetch({ "/api/chat/messages": [message(1), message(2)] });
    render(<ChatFeed />);
    expect(await screen.findByText("Беру абзац 2")).toBeInTheDocument();
    expect(screen.getByTestId("chat-count")).toHaveTextContent("2");
    expect(calls[0].url.searchParams.get("since")).toBeNull();
    expect(calls[0].url.searchParams.get("limit")).toBe("100");
  });

  it("then asks only for what came after the newest message", async () => {
    let call = 0;
    const calls = stubFetch({ "/api/chat/messages": () => (++call === 1 ? [message(1), message(2)] : [message(2), message(3)]) });
    render(<ChatFeed />);
    expect(await screen.findByText("Беру абзац 3", undefined, { timeout: 6000 })).toBeInTheDocument();
    expect(calls[1].url.searchParams.get("since")).toBe("2025-01-01T12:00:01.999Z");
    expect(screen.getByTestId("chat-count")).toHaveTextContent("3");
  });

  it("has an empty state", async () => {
    stubFetch({ "/api/chat/messages": [] });
    render(<ChatFeed />);
    expect(await screen.findByText("Сообщений пока нет")).toBeInTheDocument();
  });
});
