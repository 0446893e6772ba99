// /admin: the sharing agreements of the user's agency and the partnership's agencies (every role), the audit
// log's verification (IG lead, administrator), approval requests (manager, IG lead, administrator), break-glass
// use awaiting review and the audit search (IG lead), the agency's users and the requests to change them
// (administrator), creating and ending sharing agreements (IG lead). The forms are in ../admin_forms.ts.
import {
  type AdminUser, type Agency, type Agreement, type ApprovalRequest, type Done, agreementForm, approvalsTable, auditSearch, codePanel, decisionForm,
  disableForm, endAgreementForm, newAccountForm, resetForm, roleChangeForm, roleLabel,
} from '../admin_forms';
import { ApiError, get, post } from '../api';
import { el } from '../dom';
import { reasonProblem } from '../format';
import { type FieldError, formGroup, render, requireSession, setFieldError, setTitle, showErrors, showNavigation } from '../layout';
import { confirmation } from '../practice_ui';
interface Verify {
  ok: boolean;
  events: number;
  problem: string;
  checkpoints_checked: number;
}
interface Grant {
  id: number;
  user: string;
  agency: string;
  person_id: number;
  reason: string;
  granted_at: string;
}

function table(id: string, caption: string, headers: string[], rows: (string | HTMLElement)[][]): HTMLElement {
  return el('table', { class: 'govuk-table', id },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, caption),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      headers.map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
    el('tbody', { class: 'govuk-table__body' }, rows.map((r) =>
      el('tr', { class: 'govuk-table__row' }, r.map((c) => el('td', { class: 'govuk-table__cell' }, c))))));
}

// The IG lead's review of one break-glass use: appropriate or not, with a note (POST /api/break-glass/{id}/review).
function breakGlassReview(grants: Grant[], errors: HTMLElement): HTMLElement | null {
  if (grants.length === 0) return null;
  const select = el('select', { class: 'govuk-select', id: 'review-grant', name: 'grant' },
    grants.map((g) => el('option', { value: String(g.id) }, `Grant ${g.id}: ${g.user}, child ${g.person_id}`)));
  const note = el('textarea', { class: 'govuk-textarea', id: 'review-note', name: 'note', rows: '3' });
  const form = el('form', { novalidate: true, id: 'break-glass-review-form' },
    el('h3', { class: 'govuk-heading-m' }, 'Review a break-glass use'),
    formGroup('review-grant', 'Grant', select),
    el('div', { class: 'govuk-form-group', id: 'review-outcome-group' },
      el('fieldset', { class: 'govuk-fieldset' },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'Was the use appropriate?'),
        el('p', { class: 'govuk-error-message', id: 'review-outcome-error', hidden: true }),
        el('div', { class: 'govuk-radios govuk-radios--small', 'data-module': 'govuk-radios' },
          [['appropriate', 'Appropriate'], ['inappropriate', 'Inappropriate: end the access now']].map(([value, label]) =>
            el('div', { class: 'govuk-radios__item' },
              el('input', { class: 'govuk-radios__input', id: `review-outcome-${value}`, name: 'outcome', type: 'radio', value }),
              el('label', { class: 'govuk-label govuk-radios__label', for: `review-outcome-${value}` }, label)))))),
    formGroup('review-note', 'Note', note, 'What you checked, for example with the user and their manager. At least 10 characters.'),
    el('button', { type: 'submit', class: 'govuk-button' }, 'Record review'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = (form.querySelector('input[name="outcome"]:checked') as HTMLInputElement | null)?.value;
    const problems: FieldError[] = [];
    const outcomeError = document.getElementById('review-outcome-error')!;
    outcomeError.hidden = !!outcome;
    outcomeError.textContent = outcome ? '' : 'Select whether the use was appropriate';
    document.getElementById('review-outcome-group')!.classList.toggle('govuk-form-group--error', !outcome);
    if (!outcome) problems.push({ field: 'review-outcome-appropriate', message: 'Select whether the use was appropriate' });
    const np = reasonProblem(note.value, 'note');
    setFieldError('review-note', np);
    if (np) problems.push({ field: 'review-note', message: np });
    if (problems.length) return showErrors(errors, problems);
    try {
      await post(`/api/break-glass/${select.value}/review`, { outcome, note: note.value.trim() });
      window.location.reload();
    } catch (e) {
      showErrors(errors, [{ field: '', message: e instanceof ApiError ? e.message : 'the review was not recorded' }]);
    }
  });
  return form;
}


async function optional<T>(path: string): Promise<T | null> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return null;
    throw e;
  }
}

const section = (id: string, heading: string, ...children: (HTMLElement | string | null)[]) =>
  el('section', { id, class: 'govuk-!-margin-bottom-8' }, el('h2', { class: 'govuk-heading-l' }, heading), ...children);

export async function adminPage(): Promise<void> {
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/admin');
  setTitle('Administration');
  const role = session.role;
  const approver = role === 'manager' || role === 'ig_lead' || role === 'administrator';
  // ?approvals=all lists decided requests too (GET /api/approvals?all=1).
  const allApprovals = new URLSearchParams(window.location.search).get('approvals') === 'all';
  const approvalsPath = `/api/approvals${allApprovals ? '?all=1' : ''}`;
  const [agreements0, agencies, verify, grants, users0, approvals0] = await Promise.all([
    get<{ agreements: Agreement[] }>('/api/agreements'),
    get<{ agencies: Agency[] }>('/api/agencies'),
    role === 'ig_lead' || role === 'administrator' ? optional<Verify>('/api/audit/verify') : Promise.resolve(null),
    role === 'ig_lead' ? optional<{ grants: Grant[] }>('/api/break-glass') : Promise.resolve(null),
    role === 'administrator' ? optional<{ users: AdminUser[] }>('/api/users') : Promise.resolve(null),
    approver ? optional<{ requests: ApprovalRequest[] }>(approvalsPath) : Promise.resolve(null),
  ]);
  let agreements = agreements0;
  let users = users0;
  let approvals = approvals0;
  const errors = el('div', {});
  // The outcome of the last change; an enrolment code half lives only here, until the next change or reload.
  const banner = el('div', { id: 'admin-banner' });

  const refresh = async () => {
    [agreements, users, approvals] = await Promise.all([
      get<{ agreements: Agreement[] }>('/api/agreements'),
      users ? get<{ users: AdminUser[] }>('/api/users') : Promise.resolve(null),
      approvals ? get<{ requests: ApprovalRequest[] }>(approvalsPath) : Promise.resolve(null),
    ]);
  };
  const onDone = async (done: Done) => {
    const said = confirmation('admin-done', done.message);
    const code = done.code ? codePanel('enrolment-code', done.code) : null;
    banner.replaceChildren(said, code ?? '');
    try {
      await refresh();
    } catch {
      // The change was made; the lists are redrawn from what was read before, and a reload shows the rest.
    }
    draw();
    (code ?? said).focus();
  };

  const draw = () => render(
    banner,
    errors,
    el('h1', { class: 'govuk-heading-xl' }, 'Administration'),
    el('p', { class: 'govuk-body' }, `For ${session.agency}. Accounts, resets, role changes and care relationships take two people: one asks, another approves (see the operator guide).`),
    verify
      ? el('div', { class: 'govuk-summary-card', id: 'audit-status' },
          el('div', { class: 'govuk-summary-card__title-wrapper' }, el('h2', { class: 'govuk-summary-card__title' }, 'Audit log')),
          el('div', { class: 'govuk-summary-card__content' },
            el('p', { class: 'govuk-body' },
              el('strong', { class: `govuk-tag ${verify.ok ? 'govuk-tag--green' : 'govuk-tag--red'}` }, verify.ok ? 'Verified' : 'Problem found'), ' ',
              verify.ok
                ? `${verify.events.toLocaleString('en-GB')} events, chained and signed; ${verify.checkpoints_checked} ${verify.checkpoints_checked === 1 ? 'checkpoint' : 'checkpoints'} checked.`
                : `The audit log did not verify: ${verify.problem}. Tell your operator now.`)))
      : null,
    approvals
      ? section('approvals', 'Approval requests',
          el('p', { class: 'govuk-body' }, 'Requests you made and those you may decide. A request waits 14 days, then expires.'),
          el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: allApprovals ? '/admin' : '/admin?approvals=all', id: 'approvals-toggle' },
            allApprovals ? 'Show only the requests waiting' : 'Show decided requests too')),
          approvalsTable(approvals.requests, allApprovals),
          decisionForm(approvals.requests, session.user, (d) => void onDone(d)))
      : null,
    grants
      ? section('break-glass', 'Break-glass use',
          table('break-glass-table', 'Break-glass use awaiting your review', ['Grant', 'User', 'Child', 'Reason', 'When'],
            grants.grants.map((g) => [String(g.id), `${g.user} (${g.agency})`, String(g.person_id), g.reason, g.granted_at])),
          breakGlassReview(grants.grants, errors))
      : null,
    users
      ? section('users', 'Users',
          table('users-table', `Users of ${session.agency}`, ['User', 'Role', 'Status', 'Created'],
            users.users.map((u) => [u.name, roleLabel(u.role), u.disabled ? 'Disabled' : 'Active', u.created_at])),
          el('p', { class: 'govuk-body' }, 'A new account, a role change or a reset is a request: a second administrator or your IG lead approves it. You are shown half of the account’s enrolment code once; the approver is shown the other half.'),
          newAccountForm((d) => void onDone(d)),
          roleChangeForm(users.users, session.user, (d) => void onDone(d)),
          resetForm(users.users, session.user, (d) => void onDone(d)),
          disableForm(users.users, session.user, (d) => void onDone(d)))
      : null,
    section('sharing', 'Sharing agreements',
      table('agreements-table', 'Sharing agreements your agency is party to', ['Number', 'From', 'To', 'Records', 'Purpose', 'Lawful basis', 'Status'],
        agreements.agreements.map((a) => [String(a.id), a.provider_agency, a.recipient_agency, a.data_class === '*' ? 'All' : a.data_class, a.purpose, a.lawful_basis, a.in_force ? 'In force' : 'Ended'])),
      role === 'ig_lead' ? agreementForm(agencies.agencies, session.agency, (d) => void onDone(d)) : null,
      role === 'ig_lead' ? endAgreementForm(agreements.agreements, (d) => void onDone(d)) : null),
    role === 'ig_lead'
      ? section('audit-search', 'Search the audit log',
          el('p', { class: 'govuk-body' }, 'Events by your agency’s users or about people your agency holds records on, newest first, 50 at a time. Your search is itself recorded in the audit log.'),
          auditSearch())
      : null,
    section('agencies', 'Agencies in the partnership',
      table('agencies-table', 'Agencies', ['Code', 'Name', 'Kind', 'Area'], agencies.agencies.map((a) => [a.code, a.name, a.kind, a.area]))),
  );
  draw();
}
