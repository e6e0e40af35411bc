"use client";

import { ErrorNotice } from "./states";

/** Every route's error.tsx: a screen that failed to render, with a way to try again. */
export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="py-6">
      <ErrorNotice error={error} onRetry={reset} />
    </div>
  );
}
