"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { useOperator } from "../operator/operator-context";
import { ThemeToggle } from "./theme-toggle";

export const SCREENS = [
  { href: "/", label: "Новый документ" },
  { href: "/document", label: "Документ" },
  { href: "/edits", label: "Правки" },
  { href: "/chat", label: "Чат агентов" },
  { href: "/analytics", label: "Аналитика" },
  { href: "/history", label: "История" },
  { href: "/cluster", label: "Кластер" },
];

/** The screens as links; on a phone a «Меню» button opens them as a column (no sideways
 * scrolling, every screen reachable). */
export function Nav() {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [pathname]);
  return (
    <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className="text-lg font-semibold tracking-tight">
          Chorus
        </Link>
        <button
          type="button"
          className="btn-secondary px-3 py-1 lg:hidden"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen((value) => !value)}
        >
          {open ? "Закрыть" : "Меню"}
        </button>
        <nav
          id="main-nav"
          aria-label="Разделы"
          className={`${open ? "flex" : "hidden"} order-3 w-full flex-col gap-1 lg:order-2 lg:flex lg:w-auto lg:flex-row lg:flex-wrap`}
        >
          {SCREENS.map(({ href, label }) => {
            const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                className={`whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm ${
                  active
                    ? "bg-indigo-50 font-medium text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300"
                    : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                }`}
              >
                {label}
              </Link>
            );
          })}
        </nav>
        <div className="order-2 ml-auto flex items-center gap-2 lg:order-3">
          <OperatorBadge />
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}

/** «Войти» for a visitor; «оператор · Выйти» once signed in. */
function OperatorBadge() {
  const operator = useOperator();
  const pathname = usePathname();
  if (!operator.signedIn)
    return (
      <Link href={`/signin?next=${encodeURIComponent(pathname)}`} className="btn-secondary px-3 py-1 text-sm" data-testid="sign-in-link">
        Войти
      </Link>
    );
  return (
    <span className="flex items-center gap-2 text-sm" data-testid="operator-badge">
      <span className="hidden rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 sm:inline dark:bg-emerald-500/15 dark:text-emerald-300">
        оператор
      </span>
      <button type="button" className="btn-secondary px-3 py-1 text-sm" onClick={() => void operator.signOut()}>
        Выйти
      </button>
    </span>
  );
}
