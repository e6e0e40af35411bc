import { MAX_AGENTS } from "@/lib/roles";

export const MAX_TOPIC = 500;
export const MAX_TEXT = 10_000;

export interface InitValues {
  topic: string;
  initialText: string;
  agents: string;
  roles: string[];
  customRoles: string;
}

export type InitErrors = Partial<Record<"topic" | "initialText" | "agents" | "roles", string>>;

/** The form's problems, in Russian, by field; empty when it can be sent. */
export function validateInit(values: InitValues): InitErrors {
  const errors: InitErrors = {};
  const topic = values.topic.trim();
  if (!topic) errors.topic = "Укажите тему документа.";
  else if (topic.length > MAX_TOPIC) errors.topic = `Тема длиннее ${MAX_TOPIC} символов (сейчас ${topic.length}).`;
  if (values.initialText.length > MAX_TEXT)
    errors.initialText = `Текст длиннее ${MAX_TEXT.toLocaleString("ru-RU")} символов (сейчас ${values.initialText.length.toLocaleString("ru-RU")}).`;
  const agents = values.agents.trim();
  if (!/^\d+$/.test(agents) || Number(agents) > MAX_AGENTS)
    errors.agents = `Число агентов — целое от 0 до ${MAX_AGENTS}.`;
  if (customRoleList(values.customRoles).some((role) => role.length > 500))
    errors.roles = "Описание роли длиннее 500 символов.";
  return errors;
}

export function customRoleList(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Roles to send: the chosen default keys and the custom lines; undefined means "the default
 * rotation of all roles". */
export function chosenRoles(values: InitValues): string[] | undefined {
  const roles = [...values.roles, ...customRoleList(values.customRoles)];
  return roles.length > 0 ? roles : undefined;
}
