import { beforeEach, describe, expect, it, vi } from 'vitest';
import { auditQuery, userNameProblem, validateAgreement } from '../../src/admin_forms';
import { adminPage } from '../../src/pages/admin';
import { type Answer, type Recorded, fakeApi, pageShell, settle } from './fake_api';

const admin = { user: 'bcc-cs-admin', agency: 'bcc-cs', role: 'administrator', csrf_token: 'csrf-123', must_enrol: false };
const igLead = { user: 'bcc-cs-ig_lead', agency: 'bcc-cs', role: 'ig_lead', csrf_token: 'csrf-123', must_enrol: false };
const manager = { user: 'bcc-cs-manager', agency: 'bcc-cs', role: 'manager', csrf_token: 'csrf-123', must_enrol: false };

const request = (over: Record<string, unknown>) => ({
  id: 7, kind: 'account_grant', requested_by: 'bcc-cs-admin', subject: 'amy.khan', subject_agency: 'bcc-cs', role: 'practitioner', person_id: null,
  reason: 'new starter in the exploitation team', state: 'pending', created_at: '2026-12-07T10:00:00Z', expires_at_s: 1767225600,
  decided_by: '', decided_at: null, decision_note: '', ...over,
});
const agreement = { id: 3, provider_agency: 'bcc-cs', recipient_agency: 'wmp', data_class: '*', purpose: 'CSE safeguarding', lawful_basis: 'Children Act 2004 s.11', valid_until_s: null, in_force: true };
const agencies = { agencies: [
  { code: 'bcc-cs', name: 'Birmingham Children’s Services', kind: 'local_authority', area: 'Birmingham' },
  { code: 'wmp', name: 'West Midlands Police', kind: 'police', area: 'West Midlands' },
  { code: 'bsol-ae', name: 'Birmingham A&E', kind: 'health', area: 'Birmingham' },
] };
const users = { users: [
  { name: 'bcc-cs-admin', agency: 'bcc-cs', role: 'administrator', disabled: false, created_at: '2026-01-01' },
  { name: 'bcc-cs-practitioner', agency: 'bcc-cs', role: 'practitioner', disabled: false, created_at: '2026-01-02' },
  { name: 'old.starter', agency: 'bcc-cs', role: 'analyst', disabled: true, created_at: '2026-01-03' },
] };
const verify = { ok: true, events: 1234, problem: '', checkpoints_checked: 2 };

function routes(session: object, extra: Record<string, Answer | ((r: Recorded) => Answer)> = {}) {
  return {
    'GET /api/session': { status: 200, body: session },
    'GET /api/agreements': { status: 200, body: { agreements: [agreement] } },
    'GET /api/agencies': { status: 200, body: agencies },
    'GET /api/audit/verify': { status: 200, body: verify },
    'GET /api/break-glass': { status: 200, body: { grants: [], scope: 'bcc-cs' } },
    'GET /api/users': { status: 200, body: users },
    'GET /api/approvals': { status: 200, body: { requests: [] } },
    ...extra,
  };
}

const $ = <T extends Element = HTMLElement>(s: string) => document.querySelector<T>(s)!;
const fill = (id: string, value: string) => {
  (document.getElementById(id) as HTMLInputElement).value = value;
};
const submit = async (selector: string) => {
  $(selector).dispatchEvent(new Event('submit', { cancelable: true }));
  await settle();
};
const posts = (seen: Recorded[]) => seen.filter((r) => r.method === 'POST');
const summary = () => $('.govuk-error-summary')?.textContent ?? '';

describe('the /admin page for an administrator', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('asks for a new account: names each missing field, then posts name, role and reason and shows the requester’s half once', async () => {
    const seen = fakeApi(routes(admin, {
      'POST /api/users': { status: 202, body: { request: request({}), enrolment_code_part: 'K7QX-22MB-9PLA-44TZ-X' } },
    }));
    await adminPage();
    expect([...document.querySelectorAll('#users-table tbody tr')].map((tr) => tr.children[0].textContent)).toEqual(['bcc-cs-admin', 'bcc-cs-practitioner', 'old.starter']);
    expect(document.querySelectorAll('#agencies-table tbody tr').length).toBe(3);
    expect($('#audit-form')).toBeNull(); // audit search is the IG lead's
    fill('account-name', 'a');
    fill('account-reason', 'short');
    await submit('#account-form');
    expect(posts(seen)).toEqual([]);
    expect(summary()).toContain('The user name must be 2 to 64 letters');
    expect(summary()).toContain('Choose the role of the account');
    expect(summary()).toContain('Enter a reason of at least 10 characters');
    expect($('#account-reason-group').classList.contains('govuk-form-group--error')).toBe(true);

    fill('account-name', ' amy.khan ');
    fill('account-role', 'practitioner');
    fill('account-reason', 'new starter in the exploitation team');
    await submit('#account-form');
    expect(posts(seen).map((r) => [r.path, r.body, r.headers['X-CSRF-Token']])).toEqual([
      ['/api/users', { name: 'amy.khan', role: 'practitioner', reason: 'new starter in the exploitation team' }, 'csrf-123'],
    ]);
    expect($('#admin-done').textContent).toContain('Request 7 for the account amy.khan (Practitioner) is waiting');
    expect($('#enrolment-code-value').textContent).toBe('K7QX-22MB-9PLA-44TZ-X');
    expect($('#enrolment-code').textContent).toContain('in person');
    expect($('#enrolment-code').textContent).toContain('shown only this once');
    expect(document.activeElement).toBe($('#enrolment-code'));
    // The lists are read again after the change.
    expect(seen.filter((r) => r.path === '/api/users' && r.method === 'GET').length).toBe(2);
    $<HTMLButtonElement>('#enrolment-code-hide').click();
    expect($('#enrolment-code')).toBeNull();
    expect(document.body.textContent).not.toContain('K7QX-22MB-9PLA-44TZ-X');
  });

  it('shows the API’s refusal (409: name taken) in the summary and no code', async () => {
    fakeApi(routes(admin, {
      'POST /api/users': { status: 409, body: { error: { status: 409, code: 'conflict', message: 'the user name is taken or already requested' } } },
    }));
    await adminPage();
    fill('account-name', 'bcc-cs-practitioner');
    fill('account-role', 'manager');
    fill('account-reason', 'second account for the same person');
    await submit('#account-form');
    expect(summary()).toContain('the user name is taken or already requested');
    expect($('#enrolment-code')).toBeNull();
  });

  it('asks for a role change and a reset (each with its code half), refusing the role the user already has', async () => {
    const seen = fakeApi(routes(admin, {
      'POST /api/users/bcc-cs-practitioner/role': { status: 202, body: { request: request({ id: 8, kind: 'role_change', subject: 'bcc-cs-practitioner', role: 'manager' }), enrolment_code_part: 'ROLEHALF' } },
      'POST /api/users/bcc-cs-practitioner/reset': { status: 202, body: { request: request({ id: 9, kind: 'credential_reset', subject: 'bcc-cs-practitioner', role: '' }), enrolment_code_part: 'RESETHALF' } },
    }));
    await adminPage();
    // One's own account is not offered.
    expect([...$<HTMLSelectElement>('#role-user').options].map((o) => o.value)).toEqual(['', 'bcc-cs-practitioner', 'old.starter']);
    fill('role-user', 'bcc-cs-practitioner');
    fill('role-role', 'practitioner');
    fill('role-reason', 'promoted to team manager');
    await submit('#role-form');
    expect(summary()).toContain('bcc-cs-practitioner already has this role');
    fill('role-role', 'manager');
    await submit('#role-form');
    fill('reset-user', 'bcc-cs-practitioner');
    fill('reset-reason', 'x');
    await submit('#reset-form');
    expect(summary()).toContain('Enter a reason of at least 10 characters');
    fill('reset-reason', 'lost phone with the authenticator');
    await submit('#reset-form');
    expect(posts(seen).map((r) => [r.path, r.body])).toEqual([
      ['/api/users/bcc-cs-practitioner/role', { role: 'manager', reason: 'promoted to team manager' }],
      ['/api/users/bcc-cs-practitioner/reset', { reason: 'lost phone with the authenticator' }],
    ]);
    expect($('#admin-done').textContent).toContain('Request 9 to reset bcc-cs-practitioner');
    expect($('#enrolment-code-value').textContent).toBe('RESETHALF');
    expect(document.body.textContent).not.toContain('ROLEHALF'); // the earlier half is gone
  });

  it('disables an account only after the confirmation step, and not when cancelled', async () => {
    const seen = fakeApi(routes(admin, {
      'POST /api/users/bcc-cs-practitioner/disable': { status: 200, body: { user: 'bcc-cs-practitioner', disabled: true, sessions_revoked: true } },
    }));
    await adminPage();
    // Disabled accounts are not offered again.
    expect([...$<HTMLSelectElement>('#disable-user').options].map((o) => o.value)).toEqual(['', 'bcc-cs-practitioner']);
    await submit('#disable-form');
    expect(summary()).toContain('Choose the account to disable');
    fill('disable-user', 'bcc-cs-practitioner');
    await submit('#disable-form');
    expect(posts(seen)).toEqual([]);
    expect($('#disable-warning').textContent).toContain('bcc-cs-practitioner will be signed out everywhere');
    $<HTMLButtonElement>('#disable-cancel').click();
    expect($('#disable-warning')).toBeNull();
    expect(posts(seen)).toEqual([]);
    await submit('#disable-form');
    $<HTMLButtonElement>('#disable-confirm').click();
    await settle();
    expect(posts(seen).map((r) => [r.path, r.body])).toEqual([['/api/users/bcc-cs-practitioner/disable', {}]]);
    expect($('#admin-done').textContent).toContain('bcc-cs-practitioner is disabled');
  });
});

describe('approval requests on /admin', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  const pending = [
    request({ id: 7, requested_by: 'bcc-cs-admin2' }),
    request({ id: 8, kind: 'credential_reset', requested_by: 'bcc-cs-ig_lead', subject: 'bcc-cs-analyst', role: '' }),
  ];

  it('approves another’s request with a note and shows the approver’s half once; refuses one’s own before sending', async () => {
    const seen = fakeApi(routes(igLead, {
      'GET /api/approvals': { status: 200, body: { requests: pending } },
      'POST /api/approvals/7/approve': { status: 200, body: { request: { ...pending[0], state: 'approved', decided_by: 'bcc-cs-ig_lead' }, enrolment_code_part: 'APPROVERHALF' } },
    }));
    await adminPage();
    expect([...document.querySelectorAll('#approvals-table tbody tr')].map((tr) => [...tr.children].slice(0, 3).map((c) => c.textContent))).toEqual([
      ['7', 'New account: amy.khan (bcc-cs) as Practitioner', 'bcc-cs-admin2'],
      ['8', 'Reset: bcc-cs-analyst (bcc-cs)', 'bcc-cs-ig_lead'],
    ]);
    fill('decide-request', '8');
    $<HTMLInputElement>('#decide-outcome').checked = true; // approve
    fill('decide-note', 'checked with HR');
    await submit('#decide-form');
    expect(summary()).toContain('You cannot decide your own request');
    fill('decide-request', '7');
    fill('decide-note', 'short');
    await submit('#decide-form');
    expect(summary()).toContain('Enter a note of at least 10 characters');
    expect(posts(seen)).toEqual([]);
    fill('decide-note', 'start date confirmed with HR');
    await submit('#decide-form');
    expect(posts(seen).map((r) => [r.path, r.body])).toEqual([['/api/approvals/7/approve', { note: 'start date confirmed with HR' }]]);
    expect($('#admin-done').textContent).toContain('Request 7 (New account: amy.khan (bcc-cs) as Practitioner) is approved');
    expect($('#enrolment-code-value').textContent).toBe('APPROVERHALF');
    expect($('#enrolment-code').textContent).toContain('the administrator who asked for it');
  });

  it('withdraws one’s own request with no note, rejects with a note, and lists decided ones with ?approvals=all', async () => {
    window.history.replaceState(null, '', '/admin?approvals=all');
    const seen = fakeApi(routes(manager, {
      'GET /api/approvals?all=1': { status: 200, body: { requests: [
        request({ id: 20, kind: 'care_relationship', requested_by: 'bcc-cs-manager', subject: 'bcc-cs-practitioner', role: '', person_id: 17 }),
        request({ id: 21, kind: 'mase_listing', requested_by: 'wmp-manager', subject: 'wmp-practitioner', subject_agency: 'wmp', role: '', person_id: 17 }),
        request({ id: 5, state: 'rejected', decided_by: 'bcc-cs-ig_lead', decision_note: 'no start date yet' }),
      ] } },
      'POST /api/approvals/20/withdraw': { status: 200, body: { request: request({ id: 20, kind: 'care_relationship', state: 'withdrawn', person_id: 17 }) } },
      'POST /api/approvals/21/reject': { status: 200, body: { request: request({ id: 21, kind: 'mase_listing', state: 'rejected', person_id: 17 }) } },
    }));
    await adminPage();
    window.history.replaceState(null, '', '/admin');
    expect($('#users')).toBeNull();
    expect($('#approvals-toggle').getAttribute('href')).toBe('/admin');
    expect($('#approvals-table').textContent).toContain('Rejected by bcc-cs-ig_lead: no start date yet');
    // Only pending requests can be decided.
    expect([...$<HTMLSelectElement>('#decide-request').options].map((o) => o.value)).toEqual(['', '20', '21']);
    fill('decide-request', '21');
    $<HTMLInputElement>('#decide-outcome-withdraw').checked = true;
    await submit('#decide-form');
    expect(summary()).toContain('You can withdraw only a request you made');
    fill('decide-request', '20');
    await submit('#decide-form');
    fill('decide-request', '21');
    $<HTMLInputElement>('#decide-outcome-reject').checked = true;
    fill('decide-note', 'the child is not on the MASE list');
    await submit('#decide-form');
    expect(posts(seen).map((r) => [r.path, r.body])).toEqual([
      ['/api/approvals/20/withdraw', {}],
      ['/api/approvals/21/reject', { note: 'the child is not on the MASE list' }],
    ]);
    expect($('#admin-done').textContent).toContain('is rejected');
    expect($('#enrolment-code')).toBeNull();
  });
});

describe('the IG lead’s sharing agreements and audit search', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('creates an agreement for the own agency’s records after checking every field, and ends one with a reason', async () => {
    const seen = fakeApi(routes(igLead, {
      'POST /api/agreements': { status: 201, body: { ...agreement, id: 4, recipient_agency: 'bsol-ae', data_class: 'social_care' } },
      'POST /api/agreements/3/end': { status: 200, body: { ...agreement, in_force: false } },
    }));
    await adminPage();
    expect([...$<HTMLSelectElement>('#agreement-recipient').options].map((o) => o.value)).toEqual(['', 'wmp', 'bsol-ae']);
    fill('agreement-class', 'Social Care');
    fill('agreement-purpose', 'x');
    fill('agreement-until', '2020-01-01');
    await submit('#agreement-form');
    expect(summary()).toContain('Select the agency that will receive the records');
    expect(summary()).toContain('The record class is * or a class name');
    expect(summary()).toContain('The purpose must be 3 to 500 characters');
    expect(summary()).toContain('Enter the lawful basis');
    expect(summary()).toContain('The end date must be in the future');
    fill('agreement-recipient', 'bsol-ae');
    fill('agreement-class', 'social_care');
    fill('agreement-purpose', 'CSE safeguarding');
    fill('agreement-basis', 'Children Act 2004 s.11');
    fill('agreement-until', '2099-03-31');
    await submit('#agreement-form');
    fill('end-agreement', '3');
    fill('end-reason', 'the joint team has closed');
    await submit('#end-agreement-form');
    expect(posts(seen).map((r) => [r.path, r.body])).toEqual([
      ['/api/agreements', { provider_agency: 'bcc-cs', recipient_agency: 'bsol-ae', data_class: 'social_care', purpose: 'CSE safeguarding', lawful_basis: 'Children Act 2004 s.11', valid_until: '2099-03-31' }],
      ['/api/agreements/3/end', { reason: 'the joint team has closed' }],
    ]);
    expect($('#admin-done').textContent).toContain('Agreement 3 (bcc-cs to wmp) has ended');
  });

  it('searches the audit log with the filter, shows the events, and pages back with before', async () => {
    const event = (seq: number) => ({ seq, at: '2026-12-07T09:00:00Z', user: 'bcc-cs-practitioner', agency: 'bcc-cs', role: 'practitioner', purpose: 'p', action: 'read_child', target: 'person:17', outcome: 'allowed', details: '{}', leaf_hash: 'ab' });
    const seen = fakeApi(routes(igLead, {
      'GET /api/audit?user=bcc-cs-practitioner&action=read_child&target=person%3A17&from=2026-12-01&to=2026-12-07&limit=50&scope=agency':
        { status: 200, body: { events: Array.from({ length: 50 }, (_, i) => event(500 - i)), scope: 'bcc-cs' } },
      'GET /api/audit?user=bcc-cs-practitioner&action=read_child&target=person%3A17&from=2026-12-01&to=2026-12-07&before=451&limit=50&scope=agency':
        { status: 200, body: { events: [event(12)], scope: 'bcc-cs' } },
    }));
    await adminPage();
    fill('audit-from', '2026-13-01');
    fill('audit-to', '7 Dec');
    await submit('#audit-form');
    expect(summary()).toContain('From must be a date');
    expect(summary()).toContain('To must be a date');
    expect(seen.filter((r) => r.path.startsWith('/api/audit?'))).toEqual([]);
    fill('audit-user', 'bcc-cs-practitioner');
    fill('audit-action', 'read_child');
    fill('audit-target', '17');
    fill('audit-from', '2026-12-01');
    fill('audit-to', '2026-12-07');
    fill('audit-scope', 'agency');
    await submit('#audit-form');
    expect(document.querySelectorAll('#audit-table tbody tr').length).toBe(50);
    expect($('#audit-count').textContent).toBe('Events 500 back to 451, newest first (bcc-cs).');
    $<HTMLButtonElement>('#audit-older').click();
    await settle();
    expect([...document.querySelectorAll('#audit-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))).toEqual([
      ['12', '2026-12-07T09:00:00Z', 'bcc-cs-practitioner (bcc-cs)', 'Practitioner', 'read_child', 'person:17', 'allowed', '{}'],
    ]);
    expect($('#audit-older')).toBeNull();
  });
});

describe('the admin checks', () => {
  it('user names, agreements and audit filters', () => {
    expect(userNameProblem('amy.khan')).toBeNull();
    expect(userNameProblem('')).toBe('Enter the user name');
    expect(userNameProblem('amy khan')).toContain('2 to 64');
    expect(userNameProblem('a'.repeat(65))).toContain('2 to 64');
    expect(userNameProblem('.amy')).toContain('starting with a letter or digit');
    expect(userNameProblem('a'.repeat(64))).toBeNull();
    const ok = { recipient: 'wmp', dataClass: '*', purpose: 'CSE', lawfulBasis: 'Children Act 2004 s.11', validUntil: '' };
    expect(validateAgreement(ok, 'bcc-cs', '2026-12-07')).toEqual([]);
    expect(validateAgreement({ ...ok, recipient: 'bcc-cs' }, 'bcc-cs', '2026-12-07').map((e) => e.field)).toEqual(['agreement-recipient']);
    expect(validateAgreement({ ...ok, validUntil: '2026-12-07' }, 'bcc-cs', '2026-12-07').map((e) => e.message)).toEqual(['The end date must be in the future']);
    expect(validateAgreement({ ...ok, validUntil: '2027-02-30' }, 'bcc-cs', '2026-12-07').map((e) => e.field)).toEqual(['agreement-until']);
    expect(validateAgreement({ ...ok, purpose: 'x'.repeat(501) }, 'bcc-cs', '2026-12-07').map((e) => e.field)).toEqual(['agreement-purpose']);
    const none = { user: '', action: '', target: '', from: '', to: '', scope: '' };
    expect(auditQuery(none, 50)).toEqual({ query: 'limit=50', errors: [] });
    expect(auditQuery({ ...none, user: 'cli:operator', from: '2026-12-01T10:00:00.000Z' }, 50, 99).query).toBe('user=cli%3Aoperator&from=2026-12-01T10%3A00%3A00.000Z&before=99&limit=50');
    expect(auditQuery({ ...none, from: '2026-12-07', to: '2026-12-01' }, 50).errors.map((e) => e.message)).toEqual(['To must not be before From']);
    expect(auditQuery({ ...none, action: 'DROP TABLE' }, 50).errors.map((e) => e.field)).toEqual(['audit-action']);
    // About: a bare number is a child or adult; other kinds are written out; anything else is refused here.
    expect(auditQuery({ ...none, target: ' 17 ' }, 50).query).toBe('target=person%3A17&limit=50');
    expect(auditQuery({ ...none, target: 'meeting:2' }, 50).query).toBe('target=meeting%3A2&limit=50');
    expect(auditQuery({ ...none, target: 'audit_log' }, 50).query).toBe('target=audit_log&limit=50');
    for (const bad of ['person:', 'Person:3', "person:3' OR 1=1", 'child 12', ':12', `person:${'1'.repeat(100)}`]) {
      expect(auditQuery({ ...none, target: bad }, 50).errors.map((e) => e.field)).toEqual(['audit-target']);
    }
  });
});
