// Times on pages: a date and time in UTC, the same in every language ("2026-12-05 19:30 UTC").

/** `when(ms)`: "YYYY-MM-DD HH:MM UTC". */
export function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** An ISO time from a protocol answer (FDS listings) as when() shows it; the text itself when unreadable. */
export function whenIso(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : when(ms);
}
