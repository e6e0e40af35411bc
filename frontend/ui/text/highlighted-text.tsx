import type { SegmentKind } from "@/lib/diff";

export interface TextPart {
  text: string;
  kind: SegmentKind;
  /** 0..1: how strongly an inserted part is highlighted (fades with age). */
  strength?: number;
  /** Shown on hover: who wrote it, when. */
  title?: string;
}

/** A document's text with inserted parts highlighted and deleted parts struck through. */
export function HighlightedText({ parts, className = "" }: { parts: TextPart[]; className?: string }) {
  return (
    <div className={`whitespace-pre-wrap break-words font-serif text-[1.05rem] leading-8 ${className}`}>
      {parts.map((part, index) => {
        if (part.kind === "same") return <span key={index}>{part.text}</span>;
        if (part.kind === "deleted")
          return (
            <del key={index} data-change="deleted" title={part.title} className="bg-rose-500/20 text-rose-700 decoration-rose-500 dark:text-rose-300">
              {part.text}
            </del>
          );
        const strength = part.strength ?? 1;
        return (
          <mark
            key={index}
            data-change="inserted"
            title={part.title}
            className="rounded-sm text-inherit transition-colors duration-1000"
            style={{ backgroundColor: `rgba(245, 158, 11, ${(0.12 + 0.5 * strength).toFixed(3)})` }}
          >
            {part.text}
          </mark>
        );
      })}
    </div>
  );
}
