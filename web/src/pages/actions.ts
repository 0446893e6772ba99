// /actions: the actions the user may see (GET /api/actions; ?overdue=1 asks the API for the overdue ones), with
// filters by status and owner, and a status change with If-Match of the version listed (PATCH /api/actions/{id}).
import { get, patch } from '../api';
import { el } from '../dom';
import { apiProblem, early, render, requireSession, setTitle, showNavigation } from '../layout';
import { actionStatusText, conflictMessage, fieldErrorFromApi, filterActions, ifMatch, linkHref, linkText, parseActionFilter, statusChangeProblem } from '../practice';
import { confirmation, FormErrors, link, nowrap, radioField, selectField, table, textField } from '../practice_ui';
import type { PracticeAction } from '../types';

function filterForm(f: ReturnType<typeof parseActionFilter>): HTMLElement {
  const [statusGroup, status] = selectField('filter-status', 'Status', [['', 'Any status'], ['open', 'Open'], ['done', 'Done'], ['cancelled', 'Cancelled']]);
  status.name = 'status';
  status.value = f.status;
  const check = (id: string, name: string, label: string, on: boolean) =>
    el('div', { class: 'govuk-checkboxes__item' },
      el('input', { class: 'govuk-checkboxes__input', id, name, type: 'checkbox', value: '1', checked: on }),
      el('label', { class: 'govuk-label govuk-checkboxes__label', for: id }, label));
  return el('form', { method: 'get', action: '/actions', id: 'actions-filter', class: 'govuk-!-margin-bottom-6' },
    el('div', { class: 'govuk-form-group' },
      el('fieldset', { class: 'govuk-fieldset' },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' }, 'Filter the actions'),
        statusGroup,
        el('div', { class: 'govuk-checkboxes govuk-checkboxes--small', 'data-module': 'govuk-checkboxes' },
          check('filter-overdue', 'overdue', 'Overdue only (open and past the due date)', f.overdue),
          check('filter-mine', 'mine', 'Mine only', f.mine)))),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Apply filters'));
}

function updateForm(actions: PracticeAction[], onUpdated: (a: PracticeAction) => void): HTMLElement {
  const errors = new FormErrors(['update-action', 'update-status', 'update-reason']);
  const [actionGroup, which] = selectField('update-action', 'Action', [['', 'Choose an action'], ...actions.map((a): [string, string] => [String(a.id), `${a.id}: ${a.title} (${actionStatusText(a)})`])]);
  const [statusGroup, status] = radioField('update-status', 'New status', [['done', 'Done'], ['cancelled', 'Cancelled'], ['open', 'Open again']]);
  const [reasonGroup, reason] = textField('update-reason', 'Reason', { hint: 'Needed to cancel or reopen an action. Up to 500 characters.' });
  const form = el('form', { novalidate: true, id: 'update-form' }, errors.summary, actionGroup, statusGroup, reasonGroup,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Update action'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = actions.find((a) => String(a.id) === which.value);
    const problems = [];
    if (!action) problems.push({ field: 'update-action', message: 'Choose the action to update' });
    const to = status();
    if (!to) problems.push({ field: 'update-status', message: 'Select the new status' });
    else if (action) {
      const p = statusChangeProblem(action.status, to, reason.value);
      if (p) problems.push({ field: p.startsWith('Select') ? 'update-status' : 'update-reason', message: p });
    }
    errors.set(problems);
    if (problems.length || !action) return;
    const body: Record<string, string> = { status: to };
    if (reason.value.trim()) body.status_reason = reason.value.trim();
    try {
      const { data } = await patch<PracticeAction>(`/api/actions/${action.id}`, body, { 'If-Match': ifMatch(action.version) });
      reason.value = '';
      onUpdated(data);
    } catch (e) {
      const conflict = conflictMessage(e, 'action');
      errors.set([conflict ? { field: '', message: conflict } : fieldErrorFromApi(e, { status: 'update-status', status_reason: 'update-reason' }, 'The action was not updated')],
        conflict ? 'The action has changed since you opened the page' : undefined);
    }
  });
  return form;
}

export async function actionsPage(): Promise<void> {
  const filter = parseActionFilter(window.location.search);
  const pending = early(get<{ actions: PracticeAction[] }>(`/api/actions${filter.overdue ? '?overdue=1' : ''}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/actions');
  setTitle('Actions');
  let all: PracticeAction[];
  try {
    all = (await pending).actions;
  } catch (e) {
    return apiProblem(e);
  }
  const banner = el('div', {});
  const listSlot = el('div', {});
  const formSlot = el('div', {});
  const draw = () => {
    const shown = filterActions(all, filter, session.user);
    listSlot.replaceChildren(
      el('p', { class: 'govuk-body', id: 'actions-count' }, `${shown.length} of the ${all.length} ${filter.overdue ? 'overdue ' : ''}actions you may see.`),
      shown.length === 0
        ? el('p', { class: 'govuk-body', id: 'actions-table' }, 'No actions match.')
        : table('actions-table', 'Actions by number', ['Number', 'Action', 'For', 'Owner', 'Due', 'Status', 'Set by'],
            shown.map((a) => {
              const href = linkHref(a.link);
              return [String(a.id), a.title, href ? link(href, linkText(a.link)) : linkText(a.link), `${a.owner_user} (${a.owner_agency})`, nowrap(a.due),
                a.overdue && a.status === 'open' ? el('strong', {}, actionStatusText(a)) : actionStatusText(a), `${a.created_by} (${a.created_agency})`];
            })),
    );
    formSlot.replaceChildren(shown.length ? updateForm(shown, updated) : el('p', { class: 'govuk-body' }, 'There is no action to update.'));
  };
  const updated = (a: PracticeAction) => {
    all = all.map((x) => (x.id === a.id ? a : x));
    draw();
    const done = confirmation('update-done', `Action ${a.id} is now ${actionStatusText(a).toLowerCase()}.`);
    banner.replaceChildren(done);
    done.focus();
  };
  draw();
  render(
    banner,
    el('h1', { class: 'govuk-heading-l' }, 'Actions'),
    el('p', { class: 'govuk-body' }, 'Actions agreed for children, people, places, networks and MASE meetings. You see those about records you may see; you can update those you own, your agency owns or your agency set. Set a new action from a child’s page or a meeting.'),
    filterForm(filter),
    listSlot,
    el('h2', { class: 'govuk-heading-m' }, 'Update an action'),
    el('p', { class: 'govuk-body' }, 'If a colleague changed the action after you opened this page, your update is refused and you are asked to reload.'),
    formSlot,
  );
}
