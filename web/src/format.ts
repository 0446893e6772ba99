// Pure helpers behind the pages (unit tested without a browser: tests/unit/format.test.ts).
import type { ChildEvent, Level, Radar, WaterfallStep } from './types';

export const LEVELS: Level[] = ['serious', 'significant', 'at_risk', 'none'];

export function levelLabel(level: Level | string): string {
  switch (level) {
    case 'serious':
      return 'Serious';
    case 'significant':
      return 'Significant';
    case 'at_risk':
      return 'At risk';
    case 'none':
      return 'No concerns identified';
    default:
      return String(level);
  }
}

export interface RadarRow {
  district: string;
  counts: Record<Level, number>;
  total: number;
}

// One row per district (alphabetical), with a count for every level (0 where the API lists none).
export function radarRows(radar: Radar): RadarRow[] {
  return Object.keys(radar.by_district)
    .sort((a, b) => a.localeCompare(b))
    .map((district) => {
      const given = radar.by_district[district];
      const counts = { serious: 0, significant: 0, at_risk: 0, none: 0 } as Record<Level, number>;
      for (const level of LEVELS) counts[level] = given[level] ?? 0;
      return { district, counts, total: LEVELS.reduce((sum, l) => sum + counts[l], 0) };
    });
}

// Children at any level of concern (at risk or above).
export function ofConcern(counts: Partial<Record<Level, number>>): number {
  return (counts.serious ?? 0) + (counts.significant ?? 0) + (counts.at_risk ?? 0);
}

// The chronology grouped by agency (agencies in order of their first event), each oldest first.
export function chronologyByAgency(events: ChildEvent[]): [string, ChildEvent[]][] {
  const sorted = [...events].sort((a, b) => (a.date === b.date ? a.id - b.id : a.date < b.date ? -1 : 1));
  const groups = new Map<string, ChildEvent[]>();
  for (const e of sorted) {
    const list = groups.get(e.agency);
    if (list) list.push(e);
    else groups.set(e.agency, [e]);
  }
  return [...groups.entries()];
}

export const isMissingEpisode = (e: { kind: string }) => e.kind === 'missing_episode';

// "missing_overnight" -> "Missing overnight".
export function humanise(code: string): string {
  const text = code.replace(/_/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A reason the API will accept (10 to 2,000 characters), or the message saying why not.
export function reasonProblem(reason: string, what = 'reason'): string | null {
  const n = [...reason.trim()].length;
  if (n < 10) return `Enter a ${what} of at least 10 characters`;
  if (n > 2000) return `The ${what} must be 2,000 characters or fewer`;
  return null;
}

// 429's Retry-After, politely.
export function retryText(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return 'Wait a few minutes, then try again.';
  if (seconds < 90) return `Wait ${seconds} seconds, then try again.`;
  return `Wait ${Math.ceil(seconds / 60)} minutes, then try again.`;
}

export function formatWeight(w: number): string {
  const sign = w > 0 ? '+' : w < 0 ? '−' : '';
  return `${sign}${Math.abs(w).toFixed(2)}`;
}

export function formatProbability(p: number): string {
  return `${(p * 100).toFixed(p > 0.99 || p < 0.01 ? 2 : 0)}%`;
}

// A waterfall as floating bars: each step from the running total before it to the one after.
export function waterfallBars(steps: WaterfallStep[]): { label: string; from: number; to: number }[] {
  let previous = 0;
  return steps.map((s) => {
    const bar = { label: s.level ? `${s.field} (${s.level})` : s.field, from: previous, to: s.cumulative };
    previous = s.cumulative;
    return bar;
  });
}

// The fields the review page compares, in the order a practitioner reads them.
export const REVIEW_FIELDS: [string, string][] = [
  ['forename', 'First name'],
  ['surname', 'Last name'],
  ['dob', 'Date of birth'],
  ['sex', 'Sex'],
  ['postcode', 'Postcode'],
  ['nhs_number', 'NHS number'],
  ['upn', 'Pupil number (UPN)'],
  ['agency', 'Agency'],
  ['record_class', 'Record type'],
  ['local_id', "Agency's reference"],
];

export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === null || v === undefined ? '' : String(v).trim().toLowerCase());
  return norm(a) === norm(b);
}
