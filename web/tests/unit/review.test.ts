import { beforeEach, describe, expect, it, vi } from 'vitest';
import { reviewItemPage } from '../../src/pages/review';
import { fakeApi, pageShell, session, settle } from './fake_api';

const mention = (agency: string, forename: string, dob: string) => ({
  mention_id: 1, person_id: 2, agency, record_class: 'social_care', local_id: 'X1', forename, surname: 'Synthetic', dob, sex: 'female',
  postcode: 'B1 1AA', nhs_number: '', upn: '',
});
const item = {
  id: 77, version: 3, status: 'pending', match_weight: 0.4, match_probability: 0.57, reason: '', decided_by: '', decided_at: null,
  same_person: false, left: mention('wmp', 'Amy', '2010-05-01'), right: mention('bcc-cs', 'Amy', '2010-05-02'),
  explanation: { steps: [{ field: 'prior', level: '', weight: -8.1, cumulative: -8.1, term_frequency: false },
    { field: 'forename', level: 'exact', weight: 5.2, cumulative: -2.9, term_frequency: false }], match_weight: 0.4, match_probability: 0.57 },
};

describe('a review item', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    // jsdom has no canvas: the chart is drawn in the browser tests.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  it('shows both records side by side, marks what differs, and decides with If-Match and the CSRF token', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/review/77': { status: 200, body: item, headers: { ETag: '"3"' } },
      'POST /api/review/77/decision': { status: 200, body: { ...item, status: 'confirmed', version: 4 }, headers: { ETag: '"4"' } },
    });
    await reviewItemPage('77');
    const main = document.getElementById('main-content')!;
    const rows = [...main.querySelectorAll('#side-by-side tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows.find((r) => r[0] === 'Date of birth')).toEqual(['Date of birth', '2010-05-01', '2010-05-02 (differs)']);
    expect(rows.find((r) => r[0] === 'First name')).toEqual(['First name', 'Amy', 'Amy']);
    expect(main.querySelectorAll('#waterfall-table tbody tr').length).toBe(2);
    main.querySelector<HTMLInputElement>('#decision-confirm')!.checked = true;
    main.querySelector<HTMLTextAreaElement>('#decision-reason')!.value = 'same school and date of birth checked';
    main.querySelector('#decision-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    const post = seen.find((r) => r.method === 'POST')!;
    expect(post.headers['If-Match']).toBe('"3"');
    expect(post.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(post.body).toEqual({ decision: 'confirm', reason: 'same school and date of birth checked' });
    expect(main.querySelector('#decision-done')!.textContent).toContain('Match confirmed');
  });

  it('says so when someone else decided first (412), and sends nothing without a choice', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/review/77': { status: 200, body: item, headers: { ETag: '"3"' } },
      'POST /api/review/77/decision': { status: 412, body: { error: { status: 412, code: 'precondition_failed', message: 'stale' } }, headers: { ETag: '"4"' } },
    });
    await reviewItemPage('77');
    const main = document.getElementById('main-content')!;
    main.querySelector('#decision-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    expect(main.querySelector('.govuk-error-summary')!.textContent).toContain('Select whether the records are the same person');
    main.querySelector<HTMLInputElement>('#decision-reject')!.checked = true;
    main.querySelector<HTMLTextAreaElement>('#decision-reason')!.value = 'different dates of birth confirmed';
    main.querySelector('#decision-form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(seen.filter((r) => r.method === 'POST').length).toBe(1);
    expect(main.querySelector('.govuk-error-summary')!.textContent).toContain('Someone else changed this match since you opened it');
  });
});
