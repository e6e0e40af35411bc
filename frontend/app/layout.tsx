import type { Metadata } from "next";
import type { ReactNode } from "react";
import { BudgetBanner } from "@/ui/shell/budget-banner";
import { Nav } from "@/ui/shell/nav";
import { THEME_SCRIPT } from "@/ui/shell/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: "Chorus — совместный документ",
  description: "Панель наблюдения за агентами, которые вместе пишут документ",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="ru" suppressHydrationWarning>
      <head>
        {/* Sets the theme class before the first paint, so a dark page never flashes white. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen font-sans">
        <Nav />
        <BudgetBanner />
        <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">{children}</main>
      </body>
    </html>
  );
}
