// The /admin page's forms, all over the existing JSON API (docs/api.md): an administrator's requests for a new
// account, a role change or a reset (each answered with the requester's half of the enrolment code, shown once)
// and disabling an account (one person, after a confirmation step); deciding or withdrawing approval requests
// (the approver's half shown once); the IG lead's sharing agreements (create, end) and audit search.
// The checks here mirror the API's, so most mistakes are named on the field before anything is sent; the API
// still decides (its 400 lands on the field it names, anything else in the summary).
import { ApiError, get, post } from './api';
import { el } from './dom';
import { reasonProblem } from './format';
import type { FieldError } from './layout';
import { fieldErrorFromApi, isoToday } from './practice';
import { FormErrors, nowrap, radioField, selectField, table, textArea, textField } from './practice_ui';
import type { Role } from './types';

export interface ApprovalRequest {
  id: number;
  kind: string;
  requested_by: string;
  subject: string;
  subject_agency: string;
  role: string;
  person_id: number | null;
  reason: string;
  state: string;
  created_at: string;
  expires_at_s: number;
  decided_by: string;
  decided_at: string | null;
  decision_note: string;
}
export interface RequestAnswer {
  request: ApprovalRequest;
  enrolment_code_part?: string;
}
export interface AdminUser {
  name: string;
  agency: string;
  role: string;
  disabled: boolean;
  created_at: string;
}
export interface Agency {
  code: string;
  name: string;
  kind: string;
  area: string;
}
export interface Agreement {
  id: number;
  provider_agency: string;
  recipient_agency: string;
  data_class: string;
  purpose: string;
  lawful_basis: string;
  valid_until_s?: number | null;
  in_force: boolean;
}
export interface AuditEvent {
  seq: number;
  at: string;
  user: string;
  agency: string;
  role: string;
  purpose: string;
  action: string;
  target: string;
  outcome: string;
  details: string;
}

// What a form reports when the API accepted it: a sentence, and the enrolment code half when there is one.
export interface Done {
  message: string;
  code?: { part: string; subject: string; half: 'requester' | 'approver' };
}
export type OnDone = (done: Done) => void;

export const ROLES: [Role, string][] = [
  ['analyst', 'Analyst'],
  ['practitioner', 'Practitioner'],
  ['manager', 'Manager'],
  ['ig_lead', 'IG lead'],
  ['administrator', 'Administrator'],
];
export const roleLabel = (role: string) => ROLES.find(([r]) => r === role)?.[1] ?? role;

export const KIND_LABELS: Record<string, string> = {
  account_grant: 'New account',
  role_change: 'Role change',
  credential_reset: 'Reset',
  care_relationship: 'Allocated case',
  mase_listing: 'MASE listing',
};

// ---- pure checks (unit tested) ---------------------------------------------------------------------------

export function userNameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return 'Enter the user name';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(n)) return 'The user name must be 2 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or digit';
  return null;
}

export function textProblem(value: string, what: string, min: number, max: number): string | null {
  const n = [...value.trim()].length;
  if (n === 0) return `Enter the ${what}`;
  if (n < min || n > max) return `The ${what} must be ${min} to ${max} characters`;
  return null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function realDay(s: string): boolean {
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s.slice(0, 10);
}

export interface AgreementInput {
  recipient: string;
  dataClass: string;
  purpose: string;
  lawfulBasis: string;
  validUntil: string;
}

export function validateAgreement(a: AgreementInput, ownAgency: string, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!a.recipient) errors.push({ field: 'agreement-recipient', message: 'Select the agency that will receive the records' });
  else if (a.recipient === ownAgency) errors.push({ field: 'agreement-recipient', message: 'The recipient must be another agency' });
  const dc = a.dataClass.trim();
  if (!dc) errors.push({ field: 'agreement-class', message: 'Enter the record class, or * for all records' });
  else if (!/^(\*|[a-z0-9_]{1,64})$/.test(dc)) errors.push({ field: 'agreement-class', message: 'The record class is * or a class name of lower-case letters, digits and underscores' });
  const pp = textProblem(a.purpose, 'purpose', 3, 500);
  if (pp) errors.push({ field: 'agreement-purpose', message: pp });
  const lp = textProblem(a.lawfulBasis, 'lawful basis', 3, 500);
  if (lp) errors.push({ field: 'agreement-basis', message: lp });
  const vu = a.validUntil.trim();
  if (vu && (!DAY.test(vu) || !realDay(vu))) errors.push({ field: 'agreement-until', message: 'The end date must be a real date, YYYY-MM-DD' });
  else if (vu && vu <= today) errors.push({ field: 'agreement-until', message: 'The end date must be in the future' });
  return errors;
}

export interface AuditFilter {
  user: string;
  action: string;
  target: string;
  from: string;
  to: string;
  scope: string;
}

// The query for GET /api/audit, or the problems with the filter.
export function auditQuery(f: AuditFilter, limit: number, before?: number): { query: string; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const params = new URLSearchParams();
  const user = f.user.trim();
  if (user) {
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(user)) errors.push({ field: 'audit-user', message: 'The user is a user name such as bcc-cs-practitioner (letters, digits, dots, colons, underscores or hyphens)' });
    params.set('user', user);
  }
  const action = f.action.trim();
  if (action) {
    if (!/^[a-z0-9_.:-]{1,64}$/.test(action)) errors.push({ field: 'audit-action', message: 'The action is a name such as read_child or login (lower-case letters, digits, underscores)' });
    params.set('action', action);
  }
  // What the events were about: "person:12" as the log names it, or a bare number for a child or adult.
  const target = /^\d+$/.test(f.target.trim()) ? `person:${f.target.trim()}` : f.target.trim();
  if (target) {
    if (!/^[a-z_]+(:[A-Za-z0-9._:-]+)?$/.test(target) || target.length > 100) {
      errors.push({ field: 'audit-target', message: 'About is a child’s or adult’s number such as 12, or what the log names, such as place:3, meeting:2 or audit_log' });
    }
    params.set('target', target);
  }
  for (const [key, id, label] of [['from', 'audit-from', 'From'], ['to', 'audit-to', 'To']] as const) {
    const v = f[key].trim();
    if (!v) continue;
    if (!(DAY.test(v) || INSTANT.test(v)) || !realDay(v)) errors.push({ field: id, message: `${label} must be a date, YYYY-MM-DD, or a UTC time, YYYY-MM-DDTHH:MM:SSZ` });
    params.set(key, v);
  }
  if (!errors.length && f.from.trim() && f.to.trim() && f.from.trim().slice(0, 10) > f.to.trim().slice(0, 10)) {
    errors.push({ field: 'audit-to', message: 'To must not be before From' });
  }
  if (before !== undefined) params.set('before', String(before));
  params.set('limit', String(limit));
  if (f.scope) params.set('scope', f.scope);
  return { query: params.toString(), errors };
}

// ---- pieces ----------------------------------------------------------------------------------------------

const button = (text: string, attrs: Record<string, string> = {}) =>
  el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button', ...attrs }, text);

function failure(e: unknown, fields: Record<string, string>, fallback: string): FieldError {
  if (e instanceof ApiError && e.status !== 400) {
    const why: Record<number, string> = {
      403: 'you may not do this',
      404: 'it was not found, or is outside your agency',
      409: 'it conflicts with the current state',
    };
    if (why[e.status]) return { field: '', message: `${fallback}: ${why[e.status]}. The service said: ${e.message}` };
  }
  return fieldErrorFromApi(e, fields, fallback);
}

// The half of an enrolment code, shown once: it is in the page only until the next change or reload, never
// stored by the page, and the text says how it travels (by hand, never by email or message).
export function codePanel(id: string, code: NonNullable<Done['code']>): HTMLElement {
  const other = code.half === 'requester' ? 'the person who approves the request' : 'the administrator who asked for it';
  const hide = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', id: `${id}-hide` }, 'I have written it down: hide the code');
  const panel = el('div', { class: 'govuk-notification-banner', role: 'region', id, tabindex: '-1', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'govuk-notification-banner__header' },
      el('h2', { class: 'govuk-notification-banner__title', id: `${id}-title` }, 'Enrolment code: shown once')),
    el('div', { class: 'govuk-notification-banner__content' },
      el('p', { class: 'govuk-notification-banner__heading' }, `Your half of the enrolment code for ${code.subject}:`),
      el('p', { class: 'govuk-heading-l', id: `${id}-value` }, code.part),
      el('p', { class: 'govuk-body' },
        `Write it down now: it is shown only this once and cannot be shown again. Hand it to ${code.subject} in person, never by email, message or phone. ` +
        `The other half comes from ${other}; ${code.subject} needs both halves at their first sign-in, where they set a new password and authenticator.`),
      hide));
  hide.addEventListener('click', () => panel.remove());
  return panel;
}

// ---- administrator: users --------------------------------------------------------------------------------

export function newAccountForm(onDone: OnDone): HTMLElement {
  const errors = new FormErrors(['account-name', 'account-role', 'account-reason']);
  const [nameGroup, name] = textField('account-name', 'User name', { hint: 'For example amy.khan: 2 to 64 letters, digits, dots, underscores or hyphens, starting with a letter or digit. Unique across the partnership.', width: '20' });
  const [roleGroup, role] = selectField('account-role', 'Role', [['', 'Choose a role'], ...ROLES]);
  const [reasonGroup, reason] = textArea('account-reason', 'Reason', 'Shown to the person who approves it, for example “new starter in the exploitation team”. At least 10 characters.');
  const form = el('form', { novalidate: true, id: 'account-form' }, el('h3', { class: 'govuk-heading-s' }, 'Ask for a new account'),
    errors.summary, nameGroup, roleGroup, reasonGroup, button('Ask for the account'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems: FieldError[] = [];
    const np = userNameProblem(name.value);
    if (np) problems.push({ field: 'account-name', message: np });
    if (!role.value) problems.push({ field: 'account-role', message: 'Choose the role of the account' });
    const rp = reasonProblem(reason.value);
    if (rp) problems.push({ field: 'account-reason', message: rp });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<RequestAnswer>('/api/users', { name: name.value.trim(), role: role.value, reason: reason.value.trim() });
      onDone({
        message: `Request ${data.request.id} for the account ${data.request.subject} (${roleLabel(data.request.role)}) is waiting for a second administrator or your IG lead.`,
        code: data.enrolment_code_part ? { part: data.enrolment_code_part, subject: data.request.subject, half: 'requester' } : undefined,
      });
    } catch (e) {
      errors.set([failure(e, { name: 'account-name', role: 'account-role', reason: 'account-reason' }, 'The account was not asked for')]);
    }
  });
  return form;
}

function userOptions(users: AdminUser[], self: string, filter: (u: AdminUser) => boolean = () => true): [string, string][] {
  return [['', 'Choose a user'], ...users.filter((u) => u.name !== self && filter(u))
    .map((u): [string, string] => [u.name, `${u.name} (${roleLabel(u.role)}${u.disabled ? ', disabled' : ''})`])];
}

export function roleChangeForm(users: AdminUser[], self: string, onDone: OnDone): HTMLElement {
  const errors = new FormErrors(['role-user', 'role-role', 'role-reason']);
  const [userGroup, user] = selectField('role-user', 'User', userOptions(users, self));
  const [roleGroup, role] = selectField('role-role', 'New role', [['', 'Choose a role'], ...ROLES]);
  const [reasonGroup, reason] = textArea('role-reason', 'Reason', 'Shown to the person who approves it. At least 10 characters. Once approved, the account must enrol again.');
  const form = el('form', { novalidate: true, id: 'role-form' }, el('h3', { class: 'govuk-heading-s' }, 'Ask for a role change'),
    errors.summary, userGroup, roleGroup, reasonGroup, button('Ask for the role change'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems: FieldError[] = [];
    const who = users.find((u) => u.name === user.value);
    if (!who) problems.push({ field: 'role-user', message: 'Choose the user' });
    if (!role.value) problems.push({ field: 'role-role', message: 'Choose the new role' });
    else if (who && who.role === role.value) problems.push({ field: 'role-role', message: `${who.name} already has this role` });
    const rp = reasonProblem(reason.value);
    if (rp) problems.push({ field: 'role-reason', message: rp });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<RequestAnswer>(`/api/users/${encodeURIComponent(user.value)}/role`, { role: role.value, reason: reason.value.trim() });
      onDone({
        message: `Request ${data.request.id} to make ${data.request.subject} ${roleLabel(data.request.role)} is waiting for a second administrator or your IG lead.`,
        code: data.enrolment_code_part ? { part: data.enrolment_code_part, subject: data.request.subject, half: 'requester' } : undefined,
      });
    } catch (e) {
      errors.set([failure(e, { role: 'role-role', reason: 'role-reason' }, 'The role change was not asked for')]);
    }
  });
  return form;
}

export function resetForm(users: AdminUser[], self: string, onDone: OnDone): HTMLElement {
  const errors = new FormErrors(['reset-user', 'reset-reason']);
  const [userGroup, user] = selectField('reset-user', 'User', userOptions(users, self));
  const [reasonGroup, reason] = textArea('reset-reason', 'Reason', 'For example “lost phone with the authenticator”. At least 10 characters. Once approved, the account’s sessions end and it must enrol again.');
  const form = el('form', { novalidate: true, id: 'reset-form' }, el('h3', { class: 'govuk-heading-s' }, 'Ask for a reset of an account'),
    errors.summary, userGroup, reasonGroup, button('Ask for the reset'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems: FieldError[] = [];
    if (!user.value) problems.push({ field: 'reset-user', message: 'Choose the user' });
    const rp = reasonProblem(reason.value);
    if (rp) problems.push({ field: 'reset-reason', message: rp });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<RequestAnswer>(`/api/users/${encodeURIComponent(user.value)}/reset`, { reason: reason.value.trim() });
      onDone({
        message: `Request ${data.request.id} to reset ${data.request.subject} is waiting for a second administrator or your IG lead.`,
        code: data.enrolment_code_part ? { part: data.enrolment_code_part, subject: data.request.subject, half: 'requester' } : undefined,
      });
    } catch (e) {
      errors.set([failure(e, { reason: 'reset-reason' }, 'The reset was not asked for')]);
    }
  });
  return form;
}

// Disabling needs no second person, so the form asks the administrator to confirm first.
export function disableForm(users: AdminUser[], self: string, onDone: OnDone): HTMLElement {
  const errors = new FormErrors(['disable-user']);
  const [userGroup, user] = selectField('disable-user', 'User', userOptions(users, self, (u) => !u.disabled));
  const confirmSlot = el('div', { 'aria-live': 'polite' });
  const form = el('form', { novalidate: true, id: 'disable-form' }, el('h3', { class: 'govuk-heading-s' }, 'Disable an account'),
    el('p', { class: 'govuk-body' }, 'Takes effect at once and ends all the account’s sessions. It needs no second person; to use the account again, ask for a reset.'),
    errors.summary, userGroup, button('Disable the account', { class: 'govuk-button govuk-button--warning' }), confirmSlot);
  user.addEventListener('change', () => confirmSlot.replaceChildren());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = user.value;
    if (!name) {
      confirmSlot.replaceChildren();
      return errors.set([{ field: 'disable-user', message: 'Choose the account to disable' }]);
    }
    errors.set([]);
    const yes = el('button', { type: 'button', class: 'govuk-button govuk-button--warning', 'data-module': 'govuk-button', id: 'disable-confirm' }, `Yes, disable ${name}`);
    const no = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', id: 'disable-cancel' }, 'Cancel');
    confirmSlot.replaceChildren(
      el('div', { class: 'govuk-warning-text', id: 'disable-warning' },
        el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
        el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'),
          `${name} will be signed out everywhere and cannot sign in until a reset is approved. Are you sure?`)),
      el('div', { class: 'govuk-button-group' }, yes, no));
    no.addEventListener('click', () => confirmSlot.replaceChildren());
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await post<unknown>(`/api/users/${encodeURIComponent(name)}/disable`, {});
        onDone({ message: `${name} is disabled and their sessions have ended.` });
      } catch (e) {
        confirmSlot.replaceChildren();
        errors.set([failure(e, {}, `${name} was not disabled`)]);
      }
    });
    yes.focus();
  });
  return form;
}

// ---- approvals -------------------------------------------------------------------------------------------

export function requestWhat(r: ApprovalRequest): string {
  const kind = KIND_LABELS[r.kind] ?? r.kind;
  if (r.kind === 'care_relationship' || r.kind === 'mase_listing') return `${kind}: ${r.subject} (${r.subject_agency}), child ${r.person_id ?? ''}`;
  if (r.kind === 'credential_reset') return `${kind}: ${r.subject} (${r.subject_agency})`;
  return `${kind}: ${r.subject} (${r.subject_agency}) as ${roleLabel(r.role)}`;
}

export function approvalsTable(requests: ApprovalRequest[], all: boolean): HTMLElement {
  if (requests.length === 0) return el('p', { class: 'govuk-body', id: 'approvals-table' }, all ? 'There are no requests.' : 'No request is waiting.');
  return table('approvals-table', all ? 'Requests you made or may decide' : 'Requests waiting', ['Request', 'What', 'Asked by', 'Reason', 'Asked on', 'State'],
    requests.map((r) => [String(r.id), requestWhat(r), r.requested_by, r.reason, nowrap(r.created_at.slice(0, 10)),
      r.state === 'pending' ? 'Waiting' : `${r.state.charAt(0).toUpperCase()}${r.state.slice(1)}${r.decided_by ? ` by ${r.decided_by}` : ''}${r.decision_note ? `: ${r.decision_note}` : ''}`]));
}

export function decisionForm(requests: ApprovalRequest[], self: string, onDone: OnDone): HTMLElement | null {
  const pending = requests.filter((r) => r.state === 'pending');
  if (pending.length === 0) return null;
  const errors = new FormErrors(['decide-request', 'decide-outcome', 'decide-note']);
  const [requestGroup, which] = selectField('decide-request', 'Request', [['', 'Choose a request'],
    ...pending.map((r): [string, string] => [String(r.id), `${r.id}: ${requestWhat(r)}, asked by ${r.requested_by}`])]);
  const [outcomeGroup, outcome] = radioField('decide-outcome', 'Your decision', [['approve', 'Approve'], ['reject', 'Reject'], ['withdraw', 'Withdraw (your own request)']],
    'You cannot decide a request you made, or one that would give you access.');
  const [noteGroup, note] = textArea('decide-note', 'Note', 'What you checked. At least 10 characters (not needed to withdraw).');
  const form = el('form', { novalidate: true, id: 'decide-form' }, errors.summary, requestGroup, outcomeGroup, noteGroup, button('Record decision'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const r = pending.find((x) => String(x.id) === which.value);
    const what = outcome();
    const problems: FieldError[] = [];
    if (!r) problems.push({ field: 'decide-request', message: 'Choose the request' });
    if (!what) problems.push({ field: 'decide-outcome', message: 'Select approve, reject or withdraw' });
    else if (r && what === 'withdraw' && r.requested_by !== self) problems.push({ field: 'decide-outcome', message: 'You can withdraw only a request you made' });
    else if (r && what !== 'withdraw' && r.requested_by === self) problems.push({ field: 'decide-outcome', message: 'You cannot decide your own request: withdraw it, or ask someone else to decide' });
    if (what !== 'withdraw') {
      const np = reasonProblem(note.value, 'note');
      if (np) problems.push({ field: 'decide-note', message: np });
    }
    errors.set(problems);
    if (problems.length || !r) return;
    try {
      const { data } = await post<RequestAnswer>(`/api/approvals/${r.id}/${what}`, what === 'withdraw' ? {} : { note: note.value.trim() });
      const verb = what === 'approve' ? 'approved' : what === 'reject' ? 'rejected' : 'withdrawn';
      onDone({
        message: `Request ${data.request.id} (${requestWhat(data.request)}) is ${verb}.`,
        code: data.enrolment_code_part ? { part: data.enrolment_code_part, subject: data.request.subject, half: 'approver' } : undefined,
      });
    } catch (e) {
      errors.set([failure(e, { note: 'decide-note' }, 'The decision was not recorded')]);
    }
  });
  return form;
}

// ---- IG lead: sharing agreements -------------------------------------------------------------------------

export function agreementForm(agencies: Agency[], ownAgency: string, onDone: OnDone, today = isoToday()): HTMLElement {
  const errors = new FormErrors(['agreement-recipient', 'agreement-class', 'agreement-purpose', 'agreement-basis', 'agreement-until']);
  const [recipientGroup, recipient] = selectField('agreement-recipient', 'Recipient agency', [['', 'Choose an agency'],
    ...agencies.filter((a) => a.code !== ownAgency).map((a): [string, string] => [a.code, `${a.name} (${a.code})`])]);
  const [classGroup, dataClass] = textField('agreement-class', 'Records shared', { hint: '* for all your agency’s records, or one record class such as social_care.', width: '20', value: '*' });
  const [purposeGroup, purpose] = textField('agreement-purpose', 'Purpose', { hint: 'For example “CSE safeguarding”. 3 to 500 characters.' });
  const [basisGroup, basis] = textField('agreement-basis', 'Lawful basis', { hint: 'For example “Children Act 2004 s.11”. 3 to 500 characters.' });
  const [untilGroup, until] = textField('agreement-until', 'In force until (optional)', { hint: `A future date, YYYY-MM-DD; it stays in force to the end of that day (UTC). Today is ${today}.`, width: '10', inputmode: 'numeric' });
  const form = el('form', { novalidate: true, id: 'agreement-form' }, el('h3', { class: 'govuk-heading-s' }, `Share ${ownAgency}’s records with another agency`),
    errors.summary, recipientGroup, classGroup, purposeGroup, basisGroup, untilGroup, button('Create the agreement'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { recipient: recipient.value, dataClass: dataClass.value, purpose: purpose.value, lawfulBasis: basis.value, validUntil: until.value };
    const problems = validateAgreement(input, ownAgency, today);
    errors.set(problems);
    if (problems.length) return;
    const body: Record<string, string> = {
      provider_agency: ownAgency, recipient_agency: input.recipient, data_class: input.dataClass.trim(), purpose: input.purpose.trim(), lawful_basis: input.lawfulBasis.trim(),
    };
    if (input.validUntil.trim()) body.valid_until = input.validUntil.trim();
    try {
      const { data } = await post<Agreement>('/api/agreements', body);
      onDone({ message: `Agreement ${data.id} is in force: ${data.provider_agency} shares ${data.data_class === '*' ? 'all records' : data.data_class} with ${data.recipient_agency}.` });
    } catch (e) {
      errors.set([failure(e, { recipient_agency: 'agreement-recipient', data_class: 'agreement-class', purpose: 'agreement-purpose', lawful_basis: 'agreement-basis', valid_until: 'agreement-until' }, 'The agreement was not created')]);
    }
  });
  return form;
}

export function endAgreementForm(agreements: Agreement[], onDone: OnDone): HTMLElement | null {
  const inForce = agreements.filter((a) => a.in_force);
  if (inForce.length === 0) return null;
  const errors = new FormErrors(['end-agreement', 'end-reason']);
  const [whichGroup, which] = selectField('end-agreement', 'Agreement', [['', 'Choose an agreement'],
    ...inForce.map((a): [string, string] => [String(a.id), `${a.id}: ${a.provider_agency} to ${a.recipient_agency}, ${a.data_class === '*' ? 'all records' : a.data_class} (${a.purpose})`])]);
  const [reasonGroup, reason] = textArea('end-reason', 'Reason', 'At least 10 characters. The agreement stops applying at once to every check.');
  const form = el('form', { novalidate: true, id: 'end-agreement-form' }, el('h3', { class: 'govuk-heading-s' }, 'End an agreement'),
    errors.summary, whichGroup, reasonGroup, button('End the agreement', { class: 'govuk-button govuk-button--warning' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems: FieldError[] = [];
    if (!which.value) problems.push({ field: 'end-agreement', message: 'Choose the agreement to end' });
    const rp = reasonProblem(reason.value);
    if (rp) problems.push({ field: 'end-reason', message: rp });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<Agreement>(`/api/agreements/${which.value}/end`, { reason: reason.value.trim() });
      onDone({ message: `Agreement ${data.id} (${data.provider_agency} to ${data.recipient_agency}) has ended.` });
    } catch (e) {
      errors.set([failure(e, { reason: 'end-reason' }, 'The agreement was not ended')]);
    }
  });
  return form;
}

// ---- IG lead: audit search -------------------------------------------------------------------------------

export const AUDIT_PAGE = 50;

export function auditSearch(): HTMLElement {
  const errors = new FormErrors(['audit-user', 'audit-action', 'audit-target', 'audit-from', 'audit-to', 'audit-scope']);
  const [userGroup, user] = textField('audit-user', 'User (optional)', { hint: 'A user name, for example bcc-cs-practitioner.', width: '20' });
  const [actionGroup, action] = textField('audit-action', 'Action (optional)', { hint: 'For example read_child, break_glass or login.', width: '20' });
  const [targetGroup, target] = textField('audit-target', 'About (optional)', { hint: 'Who opened a record: the child’s or adult’s number, for example 12. Or a place or meeting: place:3, meeting:2.', width: '20' });
  const [fromGroup, from] = textField('audit-from', 'From (optional)', { hint: 'YYYY-MM-DD, or a UTC time YYYY-MM-DDTHH:MM:SSZ.', width: '20' });
  const [toGroup, to] = textField('audit-to', 'To (optional)', { hint: 'Inclusive: a date includes that whole day.', width: '20' });
  const [scopeGroup, scope] = selectField('audit-scope', 'Whose events', [['', 'Your usual view'], ['agency', 'Your agency only'], ['partnership', 'The whole partnership']],
    'The whole partnership is for an IG lead whose agency is configured partnership-wide.');
  const results = el('div', { id: 'audit-results', 'aria-live': 'polite' });
  let filter: AuditFilter = { user: '', action: '', target: '', from: '', to: '', scope: '' };
  const load = async (before?: number) => {
    const { query, errors: problems } = auditQuery(filter, AUDIT_PAGE, before);
    errors.set(problems);
    if (problems.length) return;
    try {
      const answer = await get<{ events: AuditEvent[]; scope: string }>(`/api/audit?${query}`);
      const events = answer.events;
      const older = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button', id: 'audit-older' }, 'Older events');
      older.addEventListener('click', () => void load(events[events.length - 1].seq));
      results.replaceChildren(
        el('p', { class: 'govuk-body', id: 'audit-count' }, events.length === 0
          ? `No events match (${answer.scope === 'partnership' ? 'the whole partnership' : answer.scope}).`
          : `Events ${events[0].seq} back to ${events[events.length - 1].seq}, newest first (${answer.scope === 'partnership' ? 'the whole partnership' : answer.scope}).`),
        events.length ? table('audit-table', 'Audit events', ['Number', 'When', 'User', 'Role', 'Action', 'Target', 'Outcome', 'Details'],
          events.map((e) => [String(e.seq), nowrap(e.at), `${e.user} (${e.agency})`, roleLabel(e.role), e.action, e.target, e.outcome, e.details]), [0]) : '',
        events.length === AUDIT_PAGE ? older : '');
    } catch (e) {
      results.replaceChildren();
      errors.set([failure(e, { user: 'audit-user', action: 'audit-action', target: 'audit-target', from: 'audit-from', to: 'audit-to', scope: 'audit-scope' }, 'The search did not run')]);
    }
  };
  const form = el('form', { novalidate: true, id: 'audit-form' }, errors.summary, userGroup, actionGroup, targetGroup, fromGroup, toGroup, scopeGroup, button('Search the audit log'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = { user: user.value, action: action.value, target: target.value, from: from.value, to: to.value, scope: scope.value };
    void load();
  });
  return el('div', {}, form, results);
}
