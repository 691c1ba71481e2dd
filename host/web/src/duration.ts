// NNI's duration strings ("90s", "30m", "2h", "1.5d"), as in maxExperimentDuration.

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of an NNI duration; throws an Error that says what is wrong and what is valid. */
export function parseNniDuration(text: string): number {
  const trimmed = text.trim();
  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(trimmed);
  if (!match) {
    throw new Error(
      `"${text}" is not a duration: write a number followed by s, m, h or d, like 90m or 2h`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2].toLowerCase()];
  if (!(ms > 0)) {
    throw new Error(`"${text}" is not a duration: it must be longer than 0`);
  }
  return Math.round(ms);
}

/** The shortest NNI duration string that is exactly `ms` when possible ("2h", "90m", "45s"). */
export function toNniDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/** A human reading of a duration: "1h 02m", "3m 05s", "12s", "850 ms". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}
