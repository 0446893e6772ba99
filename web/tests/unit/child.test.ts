import { beforeEach, describe, expect, it, vi } from 'vitest';
import { childPage } from '../../src/pages/child';
import { fakeApi, pageShell, session, settle } from './fake_api';

const child = {
  person: { id: 17, name: 'Amy Synthetic', dob: '2010-05-01', sex: 'female', district: 'Birmingham' },
  assessment: {
    as_of: '2025-12-31', level: 'significant', score: 17, model_version: 'west-midlands-2025.2', complete: false,
    indicators: [{ code: 'repeat_missing', group: 'significant', label: 'Repeat missing episodes', current: true, points: 5,
      evidence: [{ event_id: 301, date: '2025-03-04', kind: 'missing_episode', category: 'missing_overnight', agency: 'wmp',
        record_class: 'police_intelligence', source_record: 'WMP-INT-20250304-0007' }] }],
    explanation: ['a line that summarises a hidden record'],
    what_would_change: { score_band: 'significant', up: { level: 'serious', threshold: 25, points: 8 },
      down: { level: 'at_risk', threshold: 16, points: 1 }, rules: [], note: '' },
    override_level: null, override_reason: '',
  },
  explanation_complete: false,
  events: [
    { id: 302, date: '2025-04-01', kind: 'incident', category: 'exploitation_concern', detail: 'seen with older males', agency: 'bcc-cs', record_class: 'social_care' },
    { id: 301, date: '2025-03-04', kind: 'missing_episode', category: 'missing_overnight', detail: '<b>not markup</b>', agency: 'wmp', record_class: 'police_intelligence' },
    { id: 303, date: '2025-05-01', kind: 'missing_episode', category: 'missing_overnight', detail: '', agency: 'wmp', record_class: 'police_intelligence' },
  ],
  access_basis: ['own_agency', 'break_glass'],
};

describe('the child page', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('shows the chronology by agency with missing episodes tagged, the evidence, and hides a partial explanation', async () => {
    fakeApi({ 'GET /api/session': { status: 200, body: session }, 'GET /api/children/17': { status: 200, body: child } });
    await childPage('17');
    const main = document.getElementById('main-content')!;
    expect(main.getAttribute('data-ready')).toBe('true');
    expect(main.querySelector('h1')!.textContent).toBe('Amy Synthetic');
    const sections = [...main.querySelectorAll('#chronology section')];
    expect(sections.map((s) => s.querySelector('h3')!.textContent)).toEqual(['wmp (2 events)', 'bcc-cs (1 event)']);
    expect(main.querySelectorAll('#chronology .govuk-tag').length).toBe(2);
    expect([...main.querySelectorAll('#chronology .govuk-tag')].every((t) => t.textContent === 'Missing')).toBe(true);
    expect(main.querySelector('#event-301')!.textContent).toContain('<b>not markup</b>');
    expect(main.querySelector('#event-301 b')).toBeNull();
    expect(main.querySelector('#indicator-repeat_missing a')!.getAttribute('href')).toBe('#event-301');
    expect(main.querySelector('#explanation')!.textContent).toContain('rests on records you may not see');
    expect(main.textContent).not.toContain('a line that summarises a hidden record');
    expect(main.querySelector('#what-would-change')!.textContent).toContain('Serious at 25 points: the score would have to gain 8 points.');
    expect(main.textContent).toContain('You are using break-glass access');
    expect(main.querySelector('.rr-level--significant')!.textContent).toBe('Significant');
  });

  it('reads the linked source records only when asked, and says why each pair was linked', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/children/17': { status: 200, body: child },
      'GET /api/people/17': { status: 200, body: {
        person: child.person,
        records: [
          { mention_id: 1, record_id: 1, agency: 'wmp', local_id: 'WMP-1', record_class: 'police_intelligence', slot: 'subject', role: 'child', access_basis: 'agreement_and_relationship' },
          { mention_id: 2, record_id: 2, agency: 'bcc-cs', local_id: 'CS-2', record_class: 'social_care', slot: 'subject', role: 'child', access_basis: 'own_agency' },
        ],
        links: [
          { left_mention_id: 1, right_mention_id: 2, source: 'review', match_weight: 12.5, match_probability: 0.9998,
            review: { status: 'confirmed', reason: 'same school', decided_by: 'bcc-cs-practitioner', decided_at: '2025-01-01' } },
          { left_mention_id: 2, right_mention_id: 1, source: 'cluster', fields: [{ field: 'nhs_number', agreement: 'agree' }, { field: 'dob', agreement: 'missing' }] },
        ],
        links_truncated: false, access_basis: ['own_agency'] } },
    });
    await childPage('17');
    expect(seen.some((r) => r.path === '/api/people/17')).toBe(false);
    document.getElementById('show-linked-records')!.click();
    await settle();
    expect(seen.filter((r) => r.path === '/api/people/17').length).toBe(1);
    const records = [...document.querySelectorAll('#records-table tbody tr')].map((tr) => tr.children[1].textContent);
    expect(records).toEqual(['WMP-1', 'CS-2']);
    const links = [...document.querySelectorAll('#links-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(links[0]).toEqual(['wmp WMP-1 and bcc-cs CS-2', 'Match weight +12.50 (probability 99.98%); confirmed by bcc-cs-practitioner: same school']);
    expect(links[1]).toEqual(['bcc-cs CS-2 and wmp WMP-1', 'Nhs number: agree; Dob: missing']);
  });

  it('answers a refused or missing child alike, and break-glass asks for a reason before anything is sent', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/children/99': { status: 404, body: { error: { status: 404, code: 'not_found', message: 'no such child' } } },
      'POST /api/children/99/break-glass': { status: 201, body: { grant: 1, person_id: 99, expires_at_s: 0, review: 'listed' } },
    });
    await childPage('99');
    const main = document.getElementById('main-content')!;
    expect(main.querySelector('h1')!.textContent).toBe('There is no record you can see with this number');
    expect(main.textContent).toContain('reviewed by your information governance lead');
    const reason = main.querySelector<HTMLTextAreaElement>('#break-glass-reason')!;
    reason.value = 'too short';
    main.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(main.querySelector('#break-glass-reason-error')!.textContent).toBe('Error: Enter a reason of at least 10 characters');
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    // jsdom cannot navigate: the page's reload after the grant shows up as its "not implemented" error.
    const jsdomErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    reason.value = 'child missing tonight, police not reachable';
    main.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    const posts = seen.filter((r) => r.method === 'POST');
    expect(posts.length).toBe(1);
    expect(posts[0].path).toBe('/api/children/99/break-glass');
    expect(posts[0].headers['X-CSRF-Token']).toBe('csrf-123');
    expect(posts[0].body).toEqual({ reason: 'child missing tonight, police not reachable' });
    expect(jsdomErrors.mock.calls.some((c) => String(c[0]).includes('navigation'))).toBe(true);
  });
});
