import { EDIT_STATUSES } from "@/lib/statuses";
import type { EditStatus } from "@/lib/types";

const COLORS: Record<EditStatus, string> = {
  accepted: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
  rejected: "bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300",
  superseded: "bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-300",
  pending: "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200",
};

export function StatusBadge({ status, reason }: { status: EditStatus; reason?: string }) {
  const known = EDIT_STATUSES[status];
  const hint = [known?.hint, reason].filter(Boolean).join(": ");
  return (
    <span data-status={status} title={hint} className={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${COLORS[status] ?? COLORS.pending}`}>
      {known?.label ?? status}
    </span>
  );
}
