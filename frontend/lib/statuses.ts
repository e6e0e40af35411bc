import type { EditStatus } from "./types";

/** Russian names of edit statuses, and what each one means, for badges and filters. */
export const EDIT_STATUSES: Record<EditStatus, { label: string; hint: string }> = {
  accepted: { label: "принята", hint: "правка применена и видна в тексте" },
  rejected: { label: "отклонена", hint: "фрагмент успел измениться: правка не применена" },
  superseded: {
    label: "перезаписана",
    hint: "применена, но тот же фрагмент позже заменила другая правка",
  },
  pending: { label: "ожидает", hint: "ждёт операцию, на которую ссылается" },
};
