/** Russian formatting of numbers, times and durations. */

const numbers = new Intl.NumberFormat("ru-RU");
const timeOfDay = new Intl.DateTimeFormat("ru-RU", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const dateTime = new Intl.DateTimeFormat("ru-RU", {
  day: "2-digit",
  month: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export const formatNumber = (value: number) => numbers.format(value);

export function formatTime(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : timeOfDay.format(date);
}

export function formatDateTime(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : dateTime.format(date);
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value >= 1000 ? `${(value / 1000).toFixed(1).replace(".", ",")} с` : `${Math.round(value)} мс`;
}

/** "5 с назад", "3 мин назад", "2 ч назад". */
export function formatAgo(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return `${seconds} с назад`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} мин назад`;
  return `${Math.floor(minutes / 60)} ч назад`;
}

/** Russian plural: plural(5, ["правка", "правки", "правок"]) → "правок". */
export function plural(count: number, forms: [string, string, string]): string {
  const tens = Math.abs(count) % 100;
  const ones = tens % 10;
  if (tens > 10 && tens < 20) return forms[2];
  if (ones === 1) return forms[0];
  if (ones >= 2 && ones <= 4) return forms[1];
  return forms[2];
}

/** A count with its noun: count(5, ["версия", "версии", "версий"]) → "5 версий". */
export function count(value: number, forms: [string, string, string]): string {
  return `${formatNumber(value)} ${plural(value, forms)}`;
}

export const VERSIONS: [string, string, string] = ["версия", "версии", "версий"];
/** After «на», «догнал»: 1 версию, 2 версии, 5 версий. */
export const VERSIONS_ACC: [string, string, string] = ["версию", "версии", "версий"];

const oneDecimal = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 1 });

/** Short axis labels in Russian: 950, «12 тыс.», «600 тыс.», «1,2 млн», «3 млрд». */
export function formatCompact(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e9) return `${oneDecimal.format(value / 1e9)} млрд`;
  if (size >= 1e6) return `${oneDecimal.format(value / 1e6)} млн`;
  if (size >= 1e4) return `${oneDecimal.format(Math.round(value / 100) / 10)} тыс.`;
  return oneDecimal.format(value);
}
