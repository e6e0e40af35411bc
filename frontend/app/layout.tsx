import type { Metadata } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { SESSION_COOKIE, operatorToken, validSession } from "@/lib/session";
import { OperatorProvider } from "@/ui/operator/operator-context";
import { BudgetBanner } from "@/ui/shell/budget-banner";
import { Nav } from "@/ui/shell/nav";
import { THEME_SCRIPT } from "@/ui/shell/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: "Chorus — совместный документ",
  description: "Панель наблюдения за агентами, которые вместе пишут документ",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const signedIn = validSession((await cookies()).get(SESSION_COOKIE)?.value, operatorToken());
  return (
    <html lang="ru" suppressHydrationWarning>
      <head>
        {/* Sets the theme class before the first paint, so a dark page never flashes white. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen font-sans">
        <OperatorProvider initial={signedIn}>
          <Nav />
          <BudgetBanner />
          <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6">{children}</main>
        </OperatorProvider>
      </body>
    </html>
  );
}
