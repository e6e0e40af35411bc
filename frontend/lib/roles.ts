/** The agents' default roles: key (what POST /api/agents/start takes) and Russian name.
 * Mirrors DEFAULT_ROLES in agents/roles.py (a component test checks they agree). */
export const ROLES: { key: string; name: string }[] = [
  { key: "expert", name: "эксперт по теме" },
  { key: "style", name: "корректор стиля" },
  { key: "facts", name: "проверяющий факты" },
  { key: "structure", name: "редактор структуры" },
  { key: "repetitions", name: "редактор повторов" },
  { key: "concision", name: "редактор лаконичности" },
  { key: "spelling", name: "корректор орфографии" },
  { key: "terms", name: "редактор терминологии" },
  { key: "examples", name: "автор примеров" },
  { key: "plain", name: "популяризатор" },
  { key: "conclusion", name: "автор заключения" },
];

export const MAX_AGENTS = 50;
