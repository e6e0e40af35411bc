import { formatNumber } from "@/lib/format";

/** "21–40 из 345" with back/forward buttons; offsets are newest first. */
export function Pagination({
  offset,
  limit,
  total,
  onOffset,
}: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + limit);
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <nav aria-label="Страницы" className="flex flex-wrap items-center gap-3 text-sm">
      <span data-testid="page-range">
        {formatNumber(first)}–{formatNumber(last)} из {formatNumber(total)}
      </span>
      <span className="muted">
        страница {page} из {pages}
      </span>
      <div className="ml-auto flex gap-2">
        <button type="button" className="btn-secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
          ← Новее
        </button>
        <button type="button" className="btn-secondary" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
          Старее →
        </button>
      </div>
    </nav>
  );
}
