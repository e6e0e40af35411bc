"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export interface Polled<T> {
  data?: T;
  /** The last request's error; `data` keeps the last good answer meanwhile. */
  error?: Error;
  /** True until the first answer (or error) arrives. */
  loading: boolean;
  /** Ask again now (after a user action). */
  refresh: () => void;
}

/** Calls `load` now and `intervalMs` after each answer (never two at once), while mounted.
 * A change of `key` loads at once (the last answer stays shown meanwhile); `intervalMs` null
 * loads once. */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number | null,
  key = "",
): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const data = await loadRef.current(controller.signal);
        if (!controller.signal.aborted) setState({ data, loading: false });
      } catch (error) {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          data: previous.data,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        }));
      }
      if (!controller.signal.aborted && intervalMs !== null) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [intervalMs, key, generation]);

  return { ...state, refresh };
}

/** The current time, updated every `everyMs` (for fading highlights and "5 с назад"). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
