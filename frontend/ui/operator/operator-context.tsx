"use client";

import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from "react";
import { ApiError } from "@/lib/api";

export interface Operator {
  /** True when this browser holds an operator session: write buttons work. */
  signedIn: boolean;
  signIn: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const READ_ONLY: Operator = {
  signedIn: false,
  signIn: async () => {},
  signOut: async () => {},
};

const OperatorContext = createContext<Operator>(READ_ONLY);

/** Whether the person may write (sign-in state), for any client component. */
export const useOperator = () => useContext(OperatorContext);

/** The sign-in form's and nav's one place to talk to /operator/session. `initial` comes from
 * the server (the layout reads the cookie), so the first paint shows the right buttons. */
export function OperatorProvider({ initial, children }: { initial: boolean; children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(initial);
  const signIn = useCallback(async (token: string) => {
    const response = await fetch("/operator/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
      cache: "no-store",
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string; field?: string };
    if (!response.ok) throw new ApiError(response.status, body.message ?? `ошибка ${response.status}`, body.error ?? "", body.field);
    setSignedIn(true);
  }, []);
  const signOut = useCallback(async () => {
    await fetch("/operator/session", { method: "DELETE", cache: "no-store" });
    setSignedIn(false);
  }, []);
  const value = useMemo(() => ({ signedIn, signIn, signOut }), [signedIn, signIn, signOut]);
  return <OperatorContext.Provider value={value}>{children}</OperatorContext.Provider>;
}

/** What a read-only visitor sees instead of a working write button. */
export const SIGN_IN_HINT = "войдите как оператор";
