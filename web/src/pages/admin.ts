// /admin: the sharing agreements of the user's agency (every role), the audit log's verification (IG lead,
// administrator), break-glass use awaiting review (IG lead) and the agency's users (administrator).
import { ApiError, get, post } from '../api';
import { el } from '../dom';
import { reasonProblem } from '../format';
import { type FieldError, formGroup, render, requireSession, setFieldError, setTitle, showErrors, showNavigation } from '../layout';

interface Agreement {
  id: number;
  provider_agency: string;
  recipient_agency: string;
  data_class: string;
  purpose: string;
  lawful_basis: string;
  in_force: boolean;
}
interface User {
  name: string;
  agency: string;
  role: string;
  disabled: boolean;
  created_at: string;
}
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
    el('h2', { class: 'govuk-heading-m' }, 'Review a break-glass use'),
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

export async function adminPage(): Promise<void> {
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/admin');
  setTitle('Administration');
  const role = session.role;
  const [agreements, verify, grants, users] = await Promise.all([
    get<{ agreements: Agreement[] }>('/api/agreements'),
    role === 'ig_lead' || role === 'administrator' ? optional<Verify>('/api/audit/verify') : Promise.resolve(null),
    role === 'ig_lead' ? optional<{ grants: Grant[] }>('/api/break-glass') : Promise.resolve(null),
    role === 'administrator' ? optional<{ users: User[] }>('/api/users') : Promise.resolve(null),
  ]);
  const errors = el('div', {});
  render(
    errors,
    el('h1', { class: 'govuk-heading-l' }, 'Administration'),
    el('p', { class: 'govuk-body' }, `For ${session.agency}. Changes are made with two people (see the operator guide); this page shows the current state.`),
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
    grants
      ? table('break-glass-table', 'Break-glass use awaiting your review', ['Grant', 'User', 'Child', 'Reason', 'When'],
          grants.grants.map((g) => [String(g.id), `${g.user} (${g.agency})`, String(g.person_id), g.reason, g.granted_at]))
      : null,
    grants ? breakGlassReview(grants.grants, errors) : null,
    users
      ? table('users-table', `Users of ${session.agency}`, ['User', 'Role', 'Status', 'Created'],
          users.users.map((u) => [u.name, u.role.replace('_', ' '), u.disabled ? 'Disabled' : 'Active', u.created_at]))
      : null,
    table('agreements-table', 'Sharing agreements your agency is party to', ['From', 'To', 'Records', 'Purpose', 'Lawful basis', 'Status'],
      agreements.agreements.map((a) => [a.provider_agency, a.recipient_agency, a.data_class === '*' ? 'All' : a.data_class, a.purpose, a.lawful_basis, a.in_force ? 'In force' : 'Ended'])),
  );
}
