// DOM pieces the practitioner workflow pages share: GOV.UK fields (text, textarea, select, radios) whose
// errors sit on the field and in the summary at the top of the form, simple tables, and the action form used on
// the child, meeting and actions pages.
import { ApiError, get, post } from './api';
import { append, clear, el, type Child } from './dom';
import { showErrors, type FieldError } from './layout';
import { fieldErrorFromApi, isoToday, noteProblem, validateAction } from './practice';
import type { CaseNote, PracticeAction, SessionInfo } from './types';

// A form's error slot and its fields: set() clears every field's error, then marks the ones given and shows
// the summary (each error a link to its field), focused.
export class FormErrors {
  readonly summary = el('div', {});
  constructor(private readonly fields: string[]) {}

  set(errors: FieldError[], title?: string): void {
    for (const id of this.fields) markField(id, errors.find((e) => e.field === id)?.message ?? null);
    showErrors(this.summary, errors, title);
  }
}

export function markField(id: string, message: string | null): void {
  const group = document.getElementById(`${id}-group`);
  const slot = document.getElementById(`${id}-error`);
  const control = document.getElementById(id);
  if (!group || !slot || !control) return;
  group.classList.toggle('govuk-form-group--error', message !== null);
  const errorClass = control.tagName === 'TEXTAREA' ? 'govuk-textarea--error' : control.tagName === 'SELECT' ? 'govuk-select--error' : control.getAttribute('type') === 'radio' ? '' : 'govuk-input--error';
  if (errorClass) control.classList.toggle(errorClass, message !== null);
  clear(slot);
  slot.hidden = message === null;
  const hint = document.getElementById(`${id}-hint`) ? `${id}-hint` : '';
  if (message !== null) append(slot, [el('span', { class: 'govuk-visually-hidden' }, 'Error: '), message]);
  const describedBy = [hint, message !== null ? `${id}-error` : ''].filter(Boolean).join(' ');
  // Radios are described through their fieldset (the GOV.UK pattern); other controls directly.
  const target = control.getAttribute('type') === 'radio' ? control.closest('fieldset') ?? control : control;
  if (describedBy) target.setAttribute('aria-describedby', describedBy);
  else target.removeAttribute('aria-describedby');
}

function group(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return el('div', { class: 'govuk-form-group', id: `${id}-group` },
    el('label', { class: 'govuk-label govuk-label--s', for: id }, label),
    hint ? el('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    el('p', { class: 'govuk-error-message', id: `${id}-error`, hidden: true }),
    control);
}

export function textField(id: string, label: string, opts: { hint?: string; width?: string; value?: string; list?: string; inputmode?: string } = {}): [HTMLElement, HTMLInputElement] {
  const input = el('input', {
    class: `govuk-input${opts.width ? ` govuk-input--width-${opts.width}` : ''}`,
    id, name: id, type: 'text', value: opts.value, list: opts.list, inputmode: opts.inputmode, autocomplete: 'off', spellcheck: 'false',
  });
  return [group(id, label, input, opts.hint), input];
}

export function textArea(id: string, label: string, hint?: string, rows = 3): [HTMLElement, HTMLTextAreaElement] {
  const area = el('textarea', { class: 'govuk-textarea', id, name: id, rows: String(rows) });
  return [group(id, label, area, hint), area];
}

export function selectField(id: string, label: string, options: [string, string][], hint?: string): [HTMLElement, HTMLSelectElement] {
  const select = el('select', { class: 'govuk-select', id, name: id }, options.map(([value, text]) => el('option', { value }, text)));
  return [group(id, label, select, hint), select];
}

// Radios in a fieldset; the first radio's id is `id`, so the summary's link lands on the group.
export function radioField(id: string, legend: string, options: [string, string][], hint?: string): [HTMLElement, () => string] {
  const name = id;
  const fieldset = el('fieldset', { class: 'govuk-fieldset', 'aria-describedby': hint ? `${id}-hint` : undefined },
    el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, legend),
    hint ? el('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    el('p', { class: 'govuk-error-message', id: `${id}-error`, hidden: true }),
    el('div', { class: 'govuk-radios govuk-radios--small', 'data-module': 'govuk-radios' },
      options.map(([value, text], i) => el('div', { class: 'govuk-radios__item' },
        el('input', { class: 'govuk-radios__input', id: i === 0 ? id : `${id}-${value}`, name, type: 'radio', value }),
        el('label', { class: 'govuk-label govuk-radios__label', for: i === 0 ? id : `${id}-${value}` }, text)))));
  const wrapper = el('div', { class: 'govuk-form-group', id: `${id}-group` }, fieldset);
  const value = () => (wrapper.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '');
  return [wrapper, value];
}

export function table(id: string, caption: string, headers: string[], rows: Child[][], numeric: number[] = []): HTMLElement {
  return el('table', { class: 'govuk-table', id },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, caption),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      headers.map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${numeric.includes(i) ? ' govuk-table__header--numeric' : ''}` }, h)))),
    el('tbody', { class: 'govuk-table__body' }, rows.map((r) => el('tr', { class: 'govuk-table__row' },
      r.map((c, i) => el('td', { class: `govuk-table__cell${numeric.includes(i) ? ' govuk-table__cell--numeric' : ''}` }, c))))));
}

// A date (or other short value) kept on one line in a narrow table column.
export function nowrap(text: string): HTMLElement {
  return el('span', { class: 'rr-nowrap' }, text);
}

export function link(href: string, text: string): HTMLElement {
  return el('a', { class: 'govuk-link', href }, text);
}

export function confirmation(id: string, text: string): HTMLElement {
  const box = el('div', { class: 'govuk-notification-banner govuk-notification-banner--success', role: 'alert', id, tabindex: '-1', 'aria-labelledby': `${id}-title` },
    el('div', { class: 'govuk-notification-banner__header' }, el('h2', { class: 'govuk-notification-banner__title', id: `${id}-title` }, 'Success')),
    el('div', { class: 'govuk-notification-banner__content' }, el('p', { class: 'govuk-notification-banner__heading' }, text)));
  return box;
}

// The form that sets an action linked to a child, person, place, network or meeting (POST /api/actions).
export function actionForm(linkKind: string, linkId: number, defaults: { agency: string; user: string }, onCreated: (a: PracticeAction) => void): HTMLElement {
  const errors = new FormErrors(['action-title', 'action-owner-agency', 'action-owner-user', 'action-due']);
  const [titleGroup, title] = textField('action-title', 'What is to be done', { hint: 'For example “Return home interview”. 3 to 200 characters.' });
  const [agencyGroup, agency] = textField('action-owner-agency', 'Owner agency', { hint: 'The agency’s code, for example bcc-cs or wmp.', width: '10', value: defaults.agency });
  const [userGroup, user] = textField('action-owner-user', 'Owner', { hint: 'The user name of the person who owns it (an active account of that agency).', width: '20', value: defaults.user });
  const [dueGroup, due] = textField('action-due', 'Due date', { hint: `YYYY-MM-DD, for example ${isoToday()}.`, width: '10', inputmode: 'numeric' });
  const done = el('div', { 'aria-live': 'polite' });
  const form = el('form', { novalidate: true, id: 'action-form' }, errors.summary, titleGroup, agencyGroup, userGroup, dueGroup,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Set action'), done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { title: title.value, ownerAgency: agency.value, ownerUser: user.value, due: due.value };
    const problems = validateAction(input);
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<PracticeAction>('/api/actions', {
        title: input.title.trim(), owner_agency: input.ownerAgency.trim(), owner_user: input.ownerUser.trim(), due: input.due.trim(),
        link_kind: linkKind, link_id: String(linkId),
      });
      title.value = '';
      due.value = '';
      done.replaceChildren(confirmation('action-done', `Action ${data.id} set for ${data.owner_user}, due ${data.due}.`));
      onCreated(data);
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { title: 'action-title', owner_agency: 'action-owner-agency', owner_user: 'action-owner-user', due: 'action-due' }, 'The action was not set')]);
    }
  });
  return form;
}

// A part of a page that could not be read: what, and the service's reason.
export function unavailable(what: string, e: unknown): HTMLElement {
  return el('p', { class: 'govuk-body' }, `${what} could not be shown${e instanceof ApiError ? `: ${e.message}` : ''}.`);
}

function noteList(notes: CaseNote[]): HTMLElement {
  if (notes.length === 0) return el('p', { class: 'govuk-body', id: 'notes-list' }, 'No case notes you may see.');
  return el('ul', { class: 'govuk-list', id: 'notes-list' }, notes.map((n) =>
    el('li', { class: 'rr-note' },
      el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1 rr-secondary' }, `${n.created_at.replace('T', ' ').replace('Z', '')} · ${n.author} (${n.agency})`),
      el('p', { class: 'govuk-body rr-pre' }, n.text))));
}

async function fillNotes(base: string, session: SessionInfo, hint: string, slot: HTMLElement): Promise<void> {
  let notes: CaseNote[];
  try {
    notes = (await get<{ notes: CaseNote[] }>(`${base}/notes`)).notes;
  } catch (e) {
    return void slot.replaceChildren(unavailable('The case notes', e));
  }
  const list = noteList(notes);
  if (session.role !== 'practitioner' && session.role !== 'manager') return void slot.replaceChildren(list);
  const errors = new FormErrors(['note-text']);
  const [textGroup, text] = textArea('note-text', 'Add a case note', hint, 4);
  const form = el('form', { novalidate: true, id: 'note-form' }, errors.summary, textGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Add note'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problem = noteProblem(text.value);
    errors.set(problem ? [{ field: 'note-text', message: problem }] : []);
    if (problem) return;
    try {
      await post(`${base}/notes`, { text: text.value });
      await fillNotes(base, session, hint, slot);
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { text: 'note-text' }, 'The note was not added')]);
    }
  });
  slot.replaceChildren(list, form);
}

// The case notes on a child, an adult or a place (`base` is its API path: GET and POST `${base}/notes`): the
// notes the user may see and, for practitioners and managers, the form to add one (`hint` says who will see it).
// The slot is filled when the read answers.
export function caseNotes(base: string, session: SessionInfo, hint: string): HTMLElement {
  const slot = el('div', { id: 'notes', 'aria-live': 'polite' }, el('p', { class: 'govuk-body' }, 'Loading the case notes…'));
  void fillNotes(base, session, hint, slot);
  return slot;
}

// Roles that read case notes (the API's identifying roles).
export const READS_NOTES = ['analyst', 'practitioner', 'manager'];
