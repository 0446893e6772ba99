import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkProfileForm, defaultPeriod, reportsPage } from '../../src/pages/reports';
import { fakeApi, pageShell, session, settle } from './fake_api';

const analyst = { ...session, user: 'wmp-analyst', agency: 'wmp', role: 'analyst' };
const tables = {
  from: '2025-01-01', to: '2025-12-31', variant: 'publishable', suppressed: 1, withheld: 0,
  tables: [{ name: 'radar_by_level', title: 'Children on the risk radar by level', population: 'children_on_radar', group_heading: 'Level', columns: 0,
    rows: [{ label: 'Serious', count: 12 }, { label: 'Significant', count: 'c' }], total: 1234 }],
};

describe('the reports page', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('checks the period before asking the server, each error naming its field', () => {
    expect(defaultPeriod(new Date(Date.UTC(2026, 11, 7)))).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(checkProfileForm({ from: '2025-01-01', to: '2025-12-31', variant: 'publishable' })).toEqual([]);
    expect(checkProfileForm({ from: '2025-02-30', to: '', variant: 'publishable' }).map((e) => e.field)).toEqual(['profile-from', 'profile-to']);
    expect(checkProfileForm({ from: '2025-06-01', to: '2025-05-31', variant: 'publishable' })).toEqual([
      { field: 'profile-to', message: 'The last day must be on or after the first day' }]);
    // 731 days is the limit (two years); 732 is refused.
    expect(checkProfileForm({ from: '2024-01-01', to: '2025-12-31', variant: 'publishable' })).toEqual([]);
    expect(checkProfileForm({ from: '2023-12-31', to: '2025-12-31', variant: 'publishable' })[0].message).toMatch(/at most 731 days/);
  });

  it('runs the profile and shows its tables, "c" where a count is suppressed', async () => {
    const seen = fakeApi({ 'GET /api/session': { status: 200, body: analyst }, 'POST /api/reports/profile': { status: 200, body: tables } });
    await reportsPage();
    const main = document.getElementById('main-content')!;
    expect(main.querySelector('#profile-variant-restricted')).not.toBeNull(); // an analyst may ask for exact counts
    (main.querySelector('#profile-from') as HTMLInputElement).value = '2025-01-01';
    (main.querySelector('#profile-to') as HTMLInputElement).value = '2025-12-31';
    main.querySelector('#profile-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    const post = seen.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ from: '2025-01-01', to: '2025-12-31', variant: 'publishable', format: 'json' });
    expect(post.headers['X-CSRF-Token']).toBe('csrf-123');
    const rows = [...main.querySelectorAll('#profile-radar_by_level tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([['Serious', '12'], ['Significant', 'c'], ['Total', '1,234']]);
    expect(main.querySelector('#profile-summary')!.textContent).toMatch(/^1 tables\. 1 count is suppressed/);
    expect(main.querySelector('#download-html')).not.toBeNull();
    expect(main.querySelector('#download-xlsx')).not.toBeNull();
  });

  it('an administrator gets the publishable version only; a busy server is asked again later', async () => {
    fakeApi({
      'GET /api/session': { status: 200, body: { ...analyst, role: 'administrator' } },
      'POST /api/reports/profile': { status: 429, body: { error: { status: 429, code: 'resource_exhausted', message: 'another profile is being made' } } },
    });
    await reportsPage();
    const main = document.getElementById('main-content')!;
    expect(main.querySelector('#profile-variant-restricted')).toBeNull();
    main.querySelector('#profile-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(main.querySelector('.govuk-error-summary')!.textContent).toContain('Another profile is being made. Try again in a few seconds.');
  });

  it('a bad period is shown at its field and nothing is sent', async () => {
    const seen = fakeApi({ 'GET /api/session': { status: 200, body: analyst } });
    await reportsPage();
    const main = document.getElementById('main-content')!;
    (main.querySelector('#profile-to') as HTMLInputElement).value = '2020-01-01';
    main.querySelector('#profile-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(main.querySelector('#profile-to-error')!.textContent).toBe('Error: The last day must be on or after the first day');
  });

  it('roles without the profile are told so', async () => {
    fakeApi({ 'GET /api/session': { status: 200, body: session } });
    await reportsPage();
    expect(document.querySelector('h1')!.textContent).toBe('You cannot see this page');
  });
});
