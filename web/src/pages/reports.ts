// /reports: the problem profile (issue 14) for a period, run on the server (POST /api/reports/profile): its tables
// on the page and the same profile to download as the self-contained HTML report or the Excel workbook.
// Publishable (small numbers suppressed, "c") by default; the exact version for roles that may see identifying
// data. One profile at a time on the server: a busy answer says to try again.
import { ApiError, post } from '../api';
import { clear, el } from '../dom';
import { apiProblem, formGroup, render, requireSession, setFieldError, setTitle, showErrors, showNavigation, type FieldError } from '../layout';
import type { Role } from '../types';

export interface ProfileRow {
  label: string;
  count: number | 'c';
}
export interface ProfileTable {
  name: string;
  title: string;
  population: string;
  group_heading: string;
  columns: number;
  rows: ProfileRow[];
  total: number | 'c';
}
export interface ProfileTables {
  from: string;
  to: string;
  variant: 'publishable' | 'restricted';
  tables: ProfileTable[];
  suppressed: number;
  withheld: number;
}
export interface ProfileForm {
  from: string;
  to: string;
  variant: 'publishable' | 'restricted';
}

export const REPORT_ROLES: Role[] = ['analyst', 'administrator'];
export const EXACT_ROLES: Role[] = ['analyst'];
export const MAX_DAYS = 731;

// The last complete calendar year before `today` (the form's default period).
export function defaultPeriod(today: Date): { from: string; to: string } {
  const y = today.getUTCFullYear() - 1;
  return { from: `${y}-01-01`, to: `${y}-12-31` };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
function dayNumber(s: string): number | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return t / 86_400_000;
}

// The form's errors, each naming its field: dates that are real, in order, and a period the server accepts.
export function checkProfileForm(f: ProfileForm): FieldError[] {
  const errors: FieldError[] = [];
  const from = dayNumber(f.from);
  const to = dayNumber(f.to);
  if (from === null) errors.push({ field: 'profile-from', message: 'Enter the first day of the period as a real date' });
  if (to === null) errors.push({ field: 'profile-to', message: 'Enter the last day of the period as a real date' });
  if (from !== null && to !== null) {
    if (to < from) errors.push({ field: 'profile-to', message: 'The last day must be on or after the first day' });
    else if (to - from + 1 > MAX_DAYS) errors.push({ field: 'profile-to', message: `The period must be at most ${MAX_DAYS} days (two years)` });
  }
  return errors;
}

const countText = (c: number | 'c') => (c === 'c' ? 'c' : c.toLocaleString('en-GB'));

export function profileTable(t: ProfileTable): HTMLElement {
  return el('table', { class: 'govuk-table rr-profile-table', id: `profile-${t.name}` },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, t.title),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'col', class: 'govuk-table__header' }, t.group_heading || 'Group'),
      el('th', { scope: 'col', class: 'govuk-table__header govuk-table__header--numeric' }, 'Count'))),
    el('tbody', { class: 'govuk-table__body' },
      t.rows.map((r) => el('tr', { class: 'govuk-table__row' },
        el('th', { scope: 'row', class: 'govuk-table__header' }, r.label),
        el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, countText(r.count)))),
      el('tr', { class: 'govuk-table__row' },
        el('th', { scope: 'row', class: 'govuk-table__header' }, 'Total'),
        el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, countText(t.total)))));
}

function resultSection(p: ProfileTables, download: (format: 'html' | 'xlsx') => void): HTMLElement {
  return el('section', { id: 'profile-result', 'aria-labelledby': 'profile-result-heading' },
    el('h2', { class: 'govuk-heading-m', id: 'profile-result-heading', tabindex: '-1' },
      `Problem profile, ${p.from} to ${p.to} (${p.variant === 'publishable' ? 'publishable' : 'restricted: exact counts'})`),
    el('p', { class: 'govuk-body', id: 'profile-summary' },
      p.variant === 'publishable'
        ? `${p.tables.length} tables. ${p.suppressed} ${p.suppressed === 1 ? 'count is' : 'counts are'} suppressed ("c") so that nobody can be identified from small numbers${p.withheld ? `; ${p.withheld} ${p.withheld === 1 ? 'table is' : 'tables are'} withheld` : ''}.`
        : `${p.tables.length} tables with exact counts. Do not publish or share this version outside the partnership.`),
    el('div', { class: 'govuk-button-group' },
      button('download-html', 'Download the report (HTML)', () => download('html')),
      button('download-xlsx', 'Download the workbook (Excel)', () => download('xlsx'))),
    p.tables.map(profileTable));
}

function button(id: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id }, text);
  b.addEventListener('click', onClick);
  return b;
}

// A file from the API as a download (a POST cannot be a plain link): fetched with the CSRF token, handed to
// the browser as an object URL for one click, then released.
async function downloadFile(csrf: string, body: ProfileForm & { format: 'html' | 'xlsx' }): Promise<void> {
  const res = await fetch('/api/reports/profile', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!res.ok) {
    let message = `the server answered ${res.status}`;
    try {
      message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, 'error', message);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: `profile-${body.from}-to-${body.to}-${body.variant}.${body.format}`, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function problemText(e: unknown): string {
  if (e instanceof ApiError && e.status === 429) return 'Another profile is being made. Try again in a few seconds.';
  if (e instanceof ApiError) return `The profile could not be made: ${e.message}.`;
  return 'The profile could not be made. Try again later.';
}

export async function reportsPage(): Promise<void> {
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/reports');
  setTitle('Reports');
  if (!REPORT_ROLES.includes(session.role)) {
    return apiProblem(new ApiError(403, 'forbidden', 'forbidden'));
  }
  const period = defaultPeriod(new Date());
  const exact = EXACT_ROLES.includes(session.role);
  const errors = el('div', { id: 'profile-errors' });
  const result = el('div', { id: 'profile-result-slot', 'aria-live': 'polite' });
  const fromInput = el('input', { class: 'govuk-input govuk-input--width-10', id: 'profile-from', name: 'from', type: 'date', value: period.from });
  const toInput = el('input', { class: 'govuk-input govuk-input--width-10', id: 'profile-to', name: 'to', type: 'date', value: period.to });
  const radio = (value: string, label: string, hint: string, checked: boolean) =>
    el('div', { class: 'govuk-radios__item' },
      el('input', { class: 'govuk-radios__input', id: `profile-variant-${value}`, name: 'variant', type: 'radio', value, checked, 'aria-describedby': `profile-variant-${value}-hint` }),
      el('label', { class: 'govuk-label govuk-radios__label', for: `profile-variant-${value}` }, label),
      el('div', { class: 'govuk-hint govuk-radios__hint', id: `profile-variant-${value}-hint` }, hint));
  const submit = el('button', { type: 'submit', class: 'govuk-button', id: 'profile-run' }, 'Run the profile');
  const form = el('form', { id: 'profile-form', novalidate: true },
    formGroup('profile-from', 'First day of the period', fromInput),
    formGroup('profile-to', 'Last day of the period', toInput, `At most ${MAX_DAYS} days (two years).`),
    el('div', { class: 'govuk-form-group' },
      el('fieldset', { class: 'govuk-fieldset' },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'Version'),
        el('div', { class: 'govuk-radios', 'data-module': 'govuk-radios' },
          radio('publishable', 'Publishable', 'Small numbers suppressed ("c") and checked so that they cannot be worked out: safe to share.', true),
          exact && radio('restricted', 'Restricted (exact counts)', 'Every count as computed: for analysis inside the partnership only.', false)))),
    submit);
  const current = (): ProfileForm => ({
    from: fromInput.value,
    to: toInput.value,
    variant: (form.querySelector<HTMLInputElement>('input[name=variant]:checked')?.value as ProfileForm['variant']) ?? 'publishable',
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = current();
    const problems = checkProfileForm(f);
    setFieldError('profile-from', problems.find((p) => p.field === 'profile-from')?.message ?? null);
    setFieldError('profile-to', problems.find((p) => p.field === 'profile-to')?.message ?? null);
    showErrors(errors, problems);
    if (problems.length) return;
    submit.disabled = true;
    clear(result);
    result.append(el('p', { class: 'govuk-body', id: 'profile-running' }, 'Making the profile…'));
    try {
      const answer = (await post<ProfileTables>('/api/reports/profile', { ...f, format: 'json' })).data;
      clear(result);
      const download = (format: 'html' | 'xlsx') => {
        downloadFile(session.csrf_token, { ...f, format }).catch((err) => showErrors(errors, [{ field: '', message: problemText(err) }]));
      };
      result.append(resultSection(answer, download));
      document.getElementById('profile-result-heading')?.focus();
    } catch (err) {
      clear(result);
      showErrors(errors, [{ field: '', message: problemText(err) }]);
    } finally {
      submit.disabled = false;
    }
  });
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Reports'),
    el('p', { class: 'govuk-body-l' }, "The partnership's problem profile for a period: the radar, exploitation by type and place, missing episodes, networks and disruptions, each compared with the period before."),
    el('p', { class: 'govuk-body' }, 'Making a profile reads every child\'s records in aggregate and is recorded in the audit log. It takes a few seconds; one profile is made at a time.'),
    errors,
    form,
    result,
  );
}
