import { describe, expect, it } from 'vitest';
import { chronologyByAgency, formatWeight, humanise, ofConcern, radarRows, reasonProblem, retryText, waterfallBars } from '../../src/format';
import type { ChildEvent, Radar } from '../../src/types';

const radar: Radar = {
  children: 12,
  by_level: { none: 7, at_risk: 3, significant: 1, serious: 1 },
  by_district: { Walsall: { none: 2, serious: 1 }, Birmingham: { none: 5, at_risk: 3, significant: 1 } },
  cells: [],
};

describe('radarRows', () => {
  it('lists districts alphabetically with every level counted, zero where the API lists none', () => {
    const rows = radarRows(radar);
    expect(rows.map((r) => r.district)).toEqual(['Birmingham', 'Walsall']);
    expect(rows[0].counts).toEqual({ serious: 0, significant: 1, at_risk: 3, none: 5 });
    expect(rows[0].total).toBe(9);
    expect(rows[1].counts).toEqual({ serious: 1, significant: 0, at_risk: 0, none: 2 });
    expect(ofConcern(rows[0].counts)).toBe(4);
    expect(ofConcern(radar.by_level)).toBe(5);
  });
});

describe('chronologyByAgency', () => {
  const ev = (id: number, date: string, agency: string, kind = 'incident'): ChildEvent => ({
    id, date, agency, kind, category: 'x', detail: '', record_class: 'c',
  });
  it('groups by agency in order of first event, each group oldest first', () => {
    const groups = chronologyByAgency([ev(3, '2025-03-01', 'wmp'), ev(1, '2025-01-05', 'bcc-cs'), ev(2, '2025-02-01', 'wmp'), ev(4, '2025-01-05', 'bcc-cs')]);
    expect(groups.map(([a]) => a)).toEqual(['bcc-cs', 'wmp']);
    expect(groups[0][1].map((e) => e.id)).toEqual([1, 4]);
    expect(groups[1][1].map((e) => e.id)).toEqual([2, 3]);
  });
  it('keeps an empty chronology empty', () => {
    expect(chronologyByAgency([])).toEqual([]);
  });
});

describe('reasons, waits and figures', () => {
  it('accepts a reason of 10 to 2,000 characters, counting characters not bytes', () => {
    expect(reasonProblem('too short')).toBe('Enter a reason of at least 10 characters');
    expect(reasonProblem('   padded   ')).toBe('Enter a reason of at least 10 characters');
    expect(reasonProblem('é'.repeat(10))).toBeNull();
    expect(reasonProblem('x'.repeat(2000))).toBeNull();
    expect(reasonProblem('x'.repeat(2001))).toBe('The reason must be 2,000 characters or fewer');
  });
  it('says how long to wait from Retry-After', () => {
    expect(retryText(30)).toBe('Wait 30 seconds, then try again.');
    expect(retryText(900)).toBe('Wait 15 minutes, then try again.');
    expect(retryText(null)).toBe('Wait a few minutes, then try again.');
  });
  it('formats weights with their sign and codes as words', () => {
    expect(formatWeight(5.2)).toBe('+5.20');
    expect(formatWeight(-8.1)).toBe('−8.10');
    expect(humanise('missing_overnight')).toBe('Missing overnight');
  });
  it('draws each waterfall step from the running total before it', () => {
    const bars = waterfallBars([
      { field: 'prior', level: '', weight: -8.1, cumulative: -8.1, term_frequency: false },
      { field: 'forename', level: 'exact', weight: 5.2, cumulative: -2.9, term_frequency: false },
    ]);
    expect(bars).toEqual([
      { label: 'prior', from: 0, to: -8.1 },
      { label: 'forename (exact)', from: -8.1, to: -2.9 },
    ]);
  });
});
