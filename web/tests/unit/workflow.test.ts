import { beforeEach, describe, expect, it, vi } from 'vitest';
import { actionsPage } from '../../src/pages/actions';
import { alertsPage } from '../../src/pages/alerts';
import { caseloadPage } from '../../src/pages/caseload';
import { disruptionsPage } from '../../src/pages/disruptions';
import { maseListPage, masePage } from '../../src/pages/mase';
import { childPage } from '../../src/pages/child';
import { fakeApi, pageShell, session, settle } from './fake_api';

const child = {
  person: { id: 17, name: 'Amy Synthetic', dob: '2010-05-01', sex: 'female', district: 'Birmingham' },
  assessment: null, explanation_complete: true, events: [], access_basis: ['own_agency'],
};
const trajectory = {
  child_id: 17,
  current: { assessment_id: 14, level: 'significant', model_level: 'significant', overridden: false, trend: 'rising', next_review: '2026-04-04', review_overdue: false },
  assessments: [
    { id: 3, date: '2026-01-31', kind: 'pipeline', model_version: 'm', level: 'at_risk', model_level: 'at_risk', score: 4, override: null, made_by: 'cli:operator', made_at: '', next_review: '2026-05-01', review_overdue: false },
    { id: 14, date: '2026-03-07', kind: 'screening', model_version: 'm', level: 'significant', model_level: 'significant', score: 9, override: null, made_by: 'bcc-cs-practitioner', made_at: '', next_review: '2026-04-04', review_overdue: false },
  ],
  screenings: [{ id: 2, assessment_id: 14, recorded_by: 'bcc-cs-practitioner', agency: 'bcc-cs', recorded_at: '2026-03-07T10:00:00Z', observations: [{ indicator: 'unexplained_gifts_money', date: '2026-03-05', source: 'school' }] }],
};
const base = {
  'GET /api/session': { status: 200, body: session },
  'GET /api/children/17': { status: 200, body: child },
  'GET /api/children/17/notes': { status: 200, body: { subject: 'child', subject_id: 17, notes: [] } },
  'GET /api/actions?link_kind=child&link_id=17': { status: 200, body: { actions: [] } },
};

function submit(selector: string): void {
  document.querySelector(selector)!.dispatchEvent(new Event('submit', { cancelable: true }));
}

function fill(id: string, value: string): void {
  (document.getElementById(id) as HTMLInputElement).value = value;
}

describe('judgement on the child page', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // jsdom has no canvas: the chart is drawn in the browser tests
  });

  it('shows the trajectory as a table beside the chart and overrides with If-Match of the assessment read', async () => {
    let reads = 0;
    const seen = fakeApi({
      ...base,
      'GET /api/children/17/assessments': () => ({ status: 200, body: reads++ === 0 ? trajectory : { ...trajectory, current: { ...trajectory.current, level: 'serious', overridden: true } }, headers: { ETag: '"14"' } }),
      'POST /api/children/17/override': { status: 201, body: {}, headers: { ETag: '"15"' } },
    });
    await childPage('17');
    await settle();
    const rows = [...document.querySelectorAll('#trajectory-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['2026-01-31', 'Model (nightly run)', 'At risk', 'At risk', '4', 'cli:operator', '', '2026-05-01'],
      ['2026-03-07', 'Screening', 'Significant', 'Significant', '9', 'bcc-cs-practitioner', '', '2026-04-04'],
    ]);
    expect(document.getElementById('trajectory-chart')!.getAttribute('aria-label')).toContain('table below');
    expect(document.querySelector('#screenings-table tbody')!.textContent).toContain('Unexplained gifts money on 2026-03-05 (school)');
    // Nothing is sent without a reason; the current level is not a choice that changes anything.
    (document.getElementById('override-level-significant') as HTMLInputElement).checked = true;
    submit('#override-form');
    await settle();
    expect([...document.querySelectorAll('#override-form .govuk-error-summary a')].map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['#override-level', 'The level is already Significant: select a different level'],
      ['#override-reason', 'Enter a reason of at least 10 characters'],
    ]);
    expect(document.getElementById('override-reason-error')!.hidden).toBe(false);
    expect(document.getElementById('override-reason')!.getAttribute('aria-describedby')).toBe('override-reason-hint override-reason-error');
    expect(document.querySelector('#override-level-group fieldset')!.getAttribute('aria-describedby')).toBe('override-level-error');
    expect(document.getElementById('override-level-error')!.textContent).toBe('Error: The level is already Significant: select a different level');
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    (document.getElementById('override-level') as HTMLInputElement).checked = true; // the first radio: Serious
    fill('override-reason', '  Disclosed to the school nurse; strategy meeting today ');
    fill('override-next-review', '');
    submit('#override-form');
    await settle();
    const posts = seen.filter((r) => r.method === 'POST');
    expect(posts.length).toBe(1);
    expect(posts[0].headers['If-Match']).toBe('"14"');
    expect(posts[0].headers['X-CSRF-Token']).toBe('csrf-123');
    expect(posts[0].body).toEqual({ level: 'serious', reason: 'Disclosed to the school nurse; strategy meeting today' });
    expect(document.getElementById('judgement-done')!.textContent).toContain('Override recorded');
    expect(document.getElementById('trajectory-current')!.textContent).toContain('by override');
  });

  it('says politely when the assessment changed meanwhile (412), and puts a 400 on its field', async () => {
    let answer = { status: 412, body: { error: { status: 412, code: 'precondition_failed', message: 'the child\'s assessment has changed since you read it; read it again first' } } };
    fakeApi({
      ...base,
      'GET /api/children/17/assessments': { status: 200, body: trajectory, headers: { ETag: '"14"' } },
      'POST /api/children/17/override': () => answer,
    });
    await childPage('17');
    await settle();
    (document.getElementById('override-level') as HTMLInputElement).checked = true;
    fill('override-reason', 'Disclosed to the school nurse today');
    submit('#override-form');
    await settle();
    const summary = document.querySelector('#override-form .govuk-error-summary')!;
    expect(summary.querySelector('h2')!.textContent).toBe('The level has changed since you opened the page');
    expect(summary.textContent).toContain('Someone else changed this assessment since you opened the page. Your change was not saved');
    answer = { status: 400, body: { error: { status: 400, code: 'bad_request', message: 'next_review: after today and within 366 days' } } } as typeof answer;
    submit('#override-form');
    await settle();
    expect(document.querySelector('#override-form .govuk-error-summary a')!.getAttribute('href')).toBe('#override-next-review');
    expect(document.getElementById('override-next-review-error')!.textContent).toBe('Error: Next review: after today and within 366 days');
  });

  it('records a screening from the filled rows and maps the API\'s observation index back to its row', async () => {
    const seen = fakeApi({
      ...base,
      'GET /api/children/17/assessments': { status: 200, body: trajectory, headers: { ETag: '"14"' } },
      'POST /api/children/17/screenings': { status: 400, body: { error: { status: 400, code: 'bad_request', message: "observations[1].indicator: 'gifts' is not an indicator of screening model m" } } },
    });
    await childPage('17');
    await settle();
    const today = new Date().toISOString().slice(0, 10);
    fill('screening-indicator-0', 'disclosure');
    fill('screening-date-0', today);
    fill('screening-source-0', 'school nurse');
    fill('screening-indicator-2', 'gifts');
    fill('screening-date-2', today);
    fill('screening-source-2', 'carer');
    submit('#screening-form');
    await settle();
    const post = seen.find((r) => r.method === 'POST')!;
    expect(post.body).toEqual({ observations: [{ indicator: 'disclosure', date: today, source: 'school nurse' }, { indicator: 'gifts', date: today, source: 'carer' }] });
    expect(document.querySelector('#screening-form .govuk-error-summary a')!.getAttribute('href')).toBe('#screening-indicator-2');
  });
});

describe('judgement on the child page for an analyst', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  it('shows the trajectory and notes but no forms, and never asks for the actions (not an analyst\'s endpoint)', async () => {
    const seen = fakeApi({
      ...base,
      'GET /api/session': { status: 200, body: { ...session, user: 'bcc-cs-analyst', role: 'analyst' } },
      'GET /api/children/17/assessments': { status: 200, body: trajectory, headers: { ETag: '"14"' } },
      'GET /api/children/17/notes': { status: 200, body: { subject: 'child', subject_id: 17, notes: [
        { id: 5, subject: 'child', subject_id: 17, author: 'bcc-cs-practitioner', agency: 'bcc-cs', text: 'Home visit: all well.', created_at: '2026-03-07T11:00:00Z' }] } },
    });
    await childPage('17');
    await settle();
    expect(document.querySelectorAll('#trajectory-table tbody tr').length).toBe(2);
    expect(document.getElementById('notes-list')!.textContent).toContain('Home visit: all well.');
    for (const id of ['override-form', 'screening-form', 'note-form', 'child-actions', 'action-form']) expect(document.getElementById(id)).toBeNull();
    expect(seen.some((r) => r.path.startsWith('/api/actions'))).toBe(false);
  });
});

describe('the workflow pages', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const alert = { id: 5, kind: 'missing_episode', person_id: 17, evidence: { kind: 'event', ids: [301, 302] }, detail: 'missing overnight on 2026-03-04', raised_at: '2026-03-05T06:00:00Z', why: 'allocated_case', acknowledged_at: null, note: '' };

  it('acknowledges an alert with its note, and says so when it was acknowledged elsewhere first', async () => {
    let first = true;
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/alerts/mine': { status: 200, body: { alerts: [alert, { ...alert, id: 6, kind: 'action_overdue', evidence: { kind: 'action', ids: [9] } }] } },
      'POST /api/alerts/5/acknowledge': () => ({ status: 200, body: { ...alert, acknowledged_at: '2026-03-07T10:00:00Z', note: 'spoke to the carer' } }),
      'POST /api/alerts/6/acknowledge': () => (first ? { status: 409, body: { error: { status: 409, code: 'conflict', message: 'already acknowledged' } } } : { status: 200, body: {} }),
    });
    await alertsPage();
    expect(document.getElementById('alerts-count')!.textContent).toBe('2 open alerts.');
    const card = document.getElementById('alert-5')!;
    expect(card.querySelector('h2')!.textContent).toBe('New missing episode · child 17');
    expect(card.textContent).toContain('Event 301, 302');
    expect(card.textContent).toContain('your allocated case');
    fill('alert-note-5', ' spoke to the carer ');
    submit('#alert-form-5');
    await settle();
    const post = seen.find((r) => r.path === '/api/alerts/5/acknowledge')!;
    expect(post.body).toEqual({ note: 'spoke to the carer' });
    expect(post.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(document.getElementById('alert-5')).toBeNull();
    expect(document.getElementById('alerts-count')!.textContent).toBe('1 open alert.');
    expect(document.getElementById('alert-done')!.textContent).toContain('Alert 5 acknowledged.');
    submit('#alert-form-6');
    await settle();
    expect(seen.find((r) => r.path === '/api/alerts/6/acknowledge')!.body).toEqual({});
    expect(document.querySelector('#alert-6 .govuk-error-summary')!.textContent).toContain('already acknowledged (perhaps in another window)');
    first = false;
  });

  it('updates an action with If-Match of the version listed and reports a conflict without changing the list', async () => {
    window.history.replaceState(null, '', '/actions?status=open');
    const open = { id: 3, version: 2, title: 'Return home interview', owner_agency: 'bcc-cs', owner_user: 'bcc-cs-practitioner', due: '2026-03-01', status: 'open', status_reason: '', overdue: true,
      link: { kind: 'child', id: 17 }, created_by: 'bcc-cs-manager', created_agency: 'bcc-cs', created_at: '', updated_at: '' };
    let answer: { status: number; body: unknown } = { status: 412, body: { error: { status: 412, code: 'precondition_failed', message: 'moved' } } };
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/actions': { status: 200, body: { actions: [open, { ...open, id: 4, status: 'done' }] } },
      'PATCH /api/actions/3': () => answer,
    });
    await actionsPage();
    expect([...document.querySelectorAll('#actions-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))).toEqual([
      ['3', 'Return home interview', 'Child 17', 'bcc-cs-practitioner (bcc-cs)', '2026-03-01', 'Open, overdue', 'bcc-cs-manager (bcc-cs)'],
    ]);
    expect(document.querySelector('#actions-table a')!.getAttribute('href')).toBe('/children/17');
    (document.getElementById('update-action') as HTMLSelectElement).value = '3';
    (document.getElementById('update-status-cancelled') as HTMLInputElement).checked = true;
    submit('#update-form');
    await settle();
    expect(document.querySelector('#update-form .govuk-error-summary a')!.textContent).toBe('Say why the action is cancelled');
    expect(seen.filter((r) => r.method === 'PATCH')).toEqual([]);
    fill('update-reason', 'the family moved out of the area');
    submit('#update-form');
    await settle();
    const patch = seen.find((r) => r.method === 'PATCH')!;
    expect(patch.headers['If-Match']).toBe('"2"');
    expect(patch.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(patch.body).toEqual({ status: 'cancelled', status_reason: 'the family moved out of the area' });
    expect(document.querySelector('#update-form .govuk-error-summary')!.textContent).toContain('Someone else changed this action since you opened the page');
    expect(document.querySelector('#actions-table tbody')!.textContent).toContain('Open, overdue');
    answer = { status: 200, body: { ...open, version: 3, status: 'cancelled', status_reason: 'the family moved out of the area', overdue: false } };
    (document.getElementById('update-action') as HTMLSelectElement).value = '3';
    (document.getElementById('update-status-cancelled') as HTMLInputElement).checked = true;
    fill('update-reason', 'the family moved out of the area');
    submit('#update-form');
    await settle();
    expect(document.getElementById('update-done')!.textContent).toContain('Action 3 is now cancelled: the family moved out of the area.');
    expect(document.querySelector('#actions-table')!.textContent).toBe('No actions match.');
    window.history.replaceState(null, '', '/');
  });

  it('lists a caseload highest level first, counting the hidden children', async () => {
    fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/caseload': { status: 200, body: { scope: 'own', hidden: 1, children: [
        { child_id: 2, name: 'Bo Synthetic', allocated_to: 'bcc-cs-practitioner', level: 'at_risk', model_level: 'at_risk', override: null, assessed_on: '2026-01-31', trend: 'falling', next_review: '2026-05-01', review_overdue: false, open_alerts: 0 },
        { child_id: 17, name: 'Amy Synthetic', allocated_to: 'bcc-cs-practitioner', level: 'serious', model_level: 'significant', override: { level: 'serious', reason: 'r', by: 'x' }, assessed_on: '2026-03-07', trend: 'rising', next_review: '2026-03-01', review_overdue: true, open_alerts: 2 },
      ] } },
    });
    await caseloadPage();
    expect(document.getElementById('caseload-summary')!.textContent).toBe('2 children; 1 with a review overdue; 2 open alerts.');
    expect(document.getElementById('caseload-hidden')!.textContent).toContain('1 more allocated child is not listed');
    expect([...document.querySelectorAll('#caseload-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))).toEqual([
      ['Amy Synthetic', 'Serious (override; model: Significant)', 'Rising', '2026-03-07', '2026-03-01 (overdue)', '2'],
      ['Bo Synthetic', 'At risk', 'Falling', '2026-01-31', '2026-05-01', '0'],
    ]);
  });

  const meeting = {
    id: 4, version: 1, district: 'Birmingham', date: '2026-03-14', period_end: '2026-06-12', chair: 'bcc-cs-practitioner', chair_agency: 'bcc-cs',
    panel: ['bcc-cs-practitioner', 'wmp-practitioner'], status: 'planned', created_by: 'bcc-cs-manager', created_at: '',
    agenda: [
      { id: 7, person_id: 17, place_id: null, reasons: ['new_serious', 'missing_again'], source: 'generated', note: '', removed: false, removal_reason: '', minutes: '', minutes_by: '', minutes_at: null, added_by: 'x', added_at: '' },
      { id: 8, person_id: null, place_id: 3, reasons: ['new_place_of_concern'], source: 'generated', note: '', removed: false, removal_reason: '', minutes: 'Licensing review asked for', minutes_by: 'bcc-cs-practitioner', minutes_at: '2026-03-14T12:00:00Z', added_by: 'x', added_at: '' },
    ],
  };

  it('shows a meeting\'s agenda in words, saves minutes for the item chosen, and sets an action linked to the meeting', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/mase/meetings/4': { status: 200, body: meeting },
      'GET /api/actions?link_kind=meeting&link_id=4': { status: 200, body: { actions: [] } },
      'POST /api/mase/meetings/4/agenda/7/minutes': (r) => ({ status: 200, body: { ...meeting, agenda: [{ ...meeting.agenda[0], minutes: (r.body as { minutes: string }).minutes, minutes_by: 'bcc-cs-practitioner' }, meeting.agenda[1]] } }),
      'POST /api/actions': (r) => ({ status: 201, body: { id: 30, version: 1, status: 'open', overdue: false, link: { kind: 'meeting', id: 4 }, ...(r.body as object) } }),
    });
    await masePage('4');
    const rows = [...document.querySelectorAll('#agenda-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['7', 'Child 17', 'Newly serious, Missing again', 'None yet'],
      ['8', 'Place 3', 'New place of concern', 'Licensing review asked for (bcc-cs-practitioner, 2026-03-14)'],
    ]);
    const item = document.getElementById('minutes-item') as HTMLSelectElement;
    item.value = '8';
    item.dispatchEvent(new Event('change'));
    expect((document.getElementById('minutes-text') as HTMLTextAreaElement).value).toBe('Licensing review asked for');
    item.value = '7';
    item.dispatchEvent(new Event('change'));
    fill('minutes-text', 'Strategy meeting agreed; return home interview by Friday.');
    submit('#minutes-form');
    await settle();
    expect(seen.find((r) => r.method === 'POST')!.body).toEqual({ minutes: 'Strategy meeting agreed; return home interview by Friday.' });
    expect(document.getElementById('meeting-done')!.textContent).toContain('Minutes saved for item 7.');
    expect(document.querySelector('#agenda-table tbody tr')!.textContent).toContain('Strategy meeting agreed');
    fill('action-title', 'Return home interview');
    fill('action-due', '2026-03-21');
    submit('#action-form');
    await settle();
    const action = seen.find((r) => r.path === '/api/actions' && r.method === 'POST')!;
    expect(action.body).toEqual({ title: 'Return home interview', owner_agency: 'bcc-cs', owner_user: 'bcc-cs-practitioner', due: '2026-03-21', link_kind: 'meeting', link_id: '4' });
    expect(document.querySelector('#meeting-actions-table tbody')!.textContent).toContain('Return home interview');
  });

  it('removes an item with its reason, keeping it on the record marked removed', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/mase/meetings/4': { status: 200, body: meeting },
      'GET /api/actions?link_kind=meeting&link_id=4': { status: 200, body: { actions: [] } },
      'POST /api/mase/meetings/4/agenda/8/remove': (r) => ({ status: 200, body: { ...meeting, agenda: [meeting.agenda[0], { ...meeting.agenda[1], removed: true, removal_reason: (r.body as { reason: string }).reason }] } }),
    });
    await masePage('4');
    (document.getElementById('remove-item') as HTMLSelectElement).value = '8';
    fill('remove-reason', 'too short');
    submit('#remove-form');
    await settle();
    expect(document.getElementById('remove-reason-error')!.textContent).toBe('Error: Say why the item is removed, 10 to 1,000 characters');
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    fill('remove-reason', 'discussed at the licensing meeting last week');
    submit('#remove-form');
    await settle();
    expect(seen.find((r) => r.method === 'POST')!.body).toEqual({ reason: 'discussed at the licensing meeting last week' });
    expect(document.querySelectorAll('#agenda-table tbody tr')[1].children[2].textContent).toBe('New place of concern Removed: discussed at the licensing meeting last week');
    expect([...(document.getElementById('minutes-item') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', '7']);
    expect(document.getElementById('meeting-done')!.textContent).toContain('Item 8 removed from the agenda');
  });

  it('shows no minutes or close forms to someone who does not run the meeting', async () => {
    fakeApi({
      'GET /api/session': { status: 200, body: { ...session, user: 'wmp-practitioner', agency: 'wmp' } },
      'GET /api/mase/meetings/4': { status: 200, body: meeting },
      'GET /api/actions?link_kind=meeting&link_id=4': { status: 200, body: { actions: [] } },
    });
    await masePage('4');
    expect(document.getElementById('agenda-table')).not.toBeNull();
    expect(document.getElementById('minutes-form')).toBeNull();
    expect(document.getElementById('close-form')).toBeNull();
    expect(document.getElementById('remove-form')).toBeNull();
    expect(document.getElementById('main-content')!.textContent).toContain('Only the chair, or a manager of the chair’s agency');
  });

  it('records a breach dated within the order, and puts the API\'s refusal on the date', async () => {
    const order = { id: 9, version: 1, kind: 'cawn', person_id: 42, place_id: null, issuing_agency: 'wmp', issued: '2026-01-10', expires: '2028-01-10', status: 'active',
      source_event_id: 77, note: '', created_by: 'x', created_at: '', updated_at: '', breaches: [] };
    vi.useFakeTimers({ toFake: ['Date'] }); // "today" for the page's date checks
    vi.setSystemTime(new Date('2026-03-07T12:00:00Z'));
    let answer: { status: number; body: unknown } = { status: 400, body: { error: { status: 400, code: 'bad_request', message: 'date: in the future' } } };
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/disruptions': { status: 200, body: { disruptions: [order] } },
      'POST /api/disruptions/9/breaches': () => answer,
    });
    await disruptionsPage();
    expect([...document.querySelectorAll('#disruptions-table tbody td')].map((c) => c.textContent)).toEqual(
      ['9', 'Child Abduction Warning Notice (CAWN) (from police records)', 'Person 42', 'wmp', '2026-01-10', '2028-01-10', 'Active', 'None']);
    (document.getElementById('breach-disruption') as HTMLSelectElement).value = '9';
    fill('breach-date', '2026-01-09');
    fill('breach-note', 'seen with the child');
    submit('#breach-form');
    await settle();
    expect(document.getElementById('breach-date-error')!.textContent).toBe('Error: The breach date cannot be before the order was issued (2026-01-10)');
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    fill('breach-date', '2026-02-01');
    submit('#breach-form');
    await settle();
    expect(document.querySelector('#breach-form .govuk-error-summary a')!.getAttribute('href')).toBe('#breach-date');
    answer = { status: 201, body: { ...order, version: 2, breaches: [{ id: 1, date: '2026-02-01', note: 'seen with the child', recorded_by: 'x', recorded_at: '' }] } };
    (document.getElementById('breach-disruption') as HTMLSelectElement).value = '9';
    fill('breach-date', '2026-02-01');
    fill('breach-note', 'seen with the child');
    submit('#breach-form');
    await settle();
    expect(seen.filter((r) => r.method === 'POST').at(-1)!.body).toEqual({ date: '2026-02-01', note: 'seen with the child' });
    expect(document.querySelector('#disruptions-table tbody')!.textContent).toContain('2026-02-01: seen with the child');
    expect(document.getElementById('disruption-done')!.textContent).toContain('Breach recorded');
    vi.useRealTimers();
  });

  it('lets the chair close the meeting, and a manager create one with the API\'s 400 on its field', async () => {
    const jsdomErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined); // jsdom cannot reload or navigate
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/mase/meetings/4': { status: 200, body: meeting },
      'GET /api/actions?link_kind=meeting&link_id=4': { status: 200, body: { actions: [] } },
      'POST /api/mase/meetings/4/close': { status: 200, body: { ...meeting, status: 'closed' } },
    });
    await masePage('4');
    submit('#close-form');
    await settle();
    const close = seen.find((r) => r.path === '/api/mase/meetings/4/close')!;
    expect([close.method, close.headers['X-CSRF-Token']]).toEqual(['POST', 'csrf-123']);
    expect(jsdomErrors.mock.calls.some((c) => String(c[0]).includes('navigation'))).toBe(true);

    pageShell();
    const manager = { ...session, user: 'bcc-cs-manager', role: 'manager' };
    const created = fakeApi({
      'GET /api/session': { status: 200, body: manager },
      'GET /api/mase/meetings': { status: 200, body: { meetings: [meeting] } },
      'POST /api/mase/meetings': { status: 400, body: { error: { status: 400, code: 'bad_request', message: 'panel: nhs-nurse is not an active practitioner or manager' } } },
    });
    await maseListPage();
    expect([...document.querySelectorAll('#meetings-table tbody td')].map((c) => c.textContent)).toEqual(
      ['Meeting 4', 'Birmingham', '2026-03-14', 'bcc-cs-practitioner (bcc-cs)', 'bcc-cs-practitioner, wmp-practitioner', 'Planned']);
    expect((document.getElementById('meeting-chair') as HTMLInputElement).value).toBe('bcc-cs-manager');
    fill('meeting-district', 'Birmingham');
    fill('meeting-date', '2026-03-21');
    fill('meeting-panel', 'wmp-practitioner, nhs-nurse');
    submit('#meeting-form');
    await settle();
    expect(created.find((r) => r.method === 'POST')!.body).toEqual({ district: 'Birmingham', date: '2026-03-21', chair: 'bcc-cs-manager', panel: 'wmp-practitioner, nhs-nurse' });
    expect(document.getElementById('meeting-panel-error')!.textContent).toBe('Error: Panel: nhs-nurse is not an active practitioner or manager');
  });

  it('updates an order of the user\'s agency with If-Match of its version, and tells a conflict politely', async () => {
    const order = { id: 9, version: 3, kind: 'hotel_notice', person_id: null, place_id: 11, issuing_agency: 'bcc-cs', issued: '2026-01-10', expires: '2026-07-10', status: 'active',
      source_event_id: null, note: '', created_by: 'x', created_at: '', updated_at: '', breaches: [] };
    let answer: { status: number; body: unknown } = { status: 412, body: { error: { status: 412, code: 'precondition_failed', message: 'moved' } } };
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/disruptions': { status: 200, body: { disruptions: [order, { ...order, id: 10, issuing_agency: 'wmp' }] } },
      'PATCH /api/disruptions/9': () => answer,
    });
    await disruptionsPage();
    // Only the agency's own orders are offered.
    expect([...(document.getElementById('update-disruption') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', '9']);
    const choose = () => {
      (document.getElementById('update-disruption') as HTMLSelectElement).value = '9';
      (document.getElementById('update-disruption-status-revoked') as HTMLInputElement).checked = true;
    };
    choose();
    fill('update-disruption-expires', '2026-01-01');
    submit('#update-disruption-form');
    await settle();
    expect(document.getElementById('update-disruption-expires-error')!.textContent).toBe('Error: The expiry date cannot be before the issue date (2026-01-10)');
    expect(seen.filter((r) => r.method === 'PATCH')).toEqual([]);
    fill('update-disruption-expires', '');
    submit('#update-disruption-form');
    await settle();
    const sent = seen.find((r) => r.method === 'PATCH')!;
    expect([sent.headers['If-Match'], sent.headers['X-CSRF-Token']]).toEqual(['"3"', 'csrf-123']);
    expect(sent.body).toEqual({ status: 'revoked' });
    expect(document.querySelector('#update-disruption-form .govuk-error-summary')!.textContent).toContain('Someone else changed this order since you opened the page');
    answer = { status: 200, body: { ...order, version: 4, status: 'revoked' } };
    choose();
    submit('#update-disruption-form');
    await settle();
    expect(document.getElementById('disruption-done')!.textContent).toBe('SuccessHotel or B&B notice 9 updated: revoked, expires 2026-07-10.');
    expect(document.querySelector('#disruptions-table tbody tr')!.children[6].textContent).toBe('Revoked');
  });
});
