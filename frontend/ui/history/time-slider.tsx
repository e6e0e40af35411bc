"use client";

import { useEffect } from "react";

const PLAY_STEP_MS = 800;

/** Etherpad-style time slider over versions 1..total, with step and play buttons. */
export function TimeSlider({
  value,
  total,
  playing,
  onChange,
  onPlaying,
}: {
  value: number;
  total: number;
  playing: boolean;
  onChange: (version: number) => void;
  onPlaying: (playing: boolean) => void;
}) {
  useEffect(() => {
    if (!playing) return;
    if (value >= total) {
      onPlaying(false);
      return;
    }
    const timer = setTimeout(() => onChange(value + 1), PLAY_STEP_MS);
    return () => clearTimeout(timer);
  }, [playing, value, total, onChange, onPlaying]);

  const go = (version: number) => onChange(Math.min(total, Math.max(1, version)));
  return (
    <div className="card flex flex-wrap items-center gap-3">
      <div className="flex gap-1">
        <button type="button" className="btn-secondary px-2" onClick={() => go(1)} aria-label="Первая версия" disabled={value <= 1}>
          «
        </button>
        <button type="button" className="btn-secondary px-2" onClick={() => go(value - 1)} aria-label="Предыдущая версия" disabled={value <= 1}>
          ◀
        </button>
        <button
          type="button"
          className="btn-primary w-24"
          onClick={() => {
            if (!playing && value >= total) go(1);
            onPlaying(!playing);
          }}
        >
          {playing ? "Пауза" : "Играть"}
        </button>
        <button type="button" className="btn-secondary px-2" onClick={() => go(value + 1)} aria-label="Следующая версия" disabled={value >= total}>
          ▶
        </button>
        <button type="button" className="btn-secondary px-2" onClick={() => go(total)} aria-label="Последняя версия" disabled={value >= total}>
          »
        </button>
      </div>
      <input
        type="range"
        min={1}
        max={Math.max(1, total)}
        value={value}
        onChange={(e) => {
          onPlaying(false);
          go(Number(e.target.value));
        }}
        aria-label="Версия документа"
        className="min-w-[12rem] flex-1 accent-indigo-600"
      />
      <span className="tabular-nums text-sm" data-testid="slider-position">
        версия {value} из {total}
      </span>
    </div>
  );
}
