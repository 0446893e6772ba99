// /mase: the MASE meetings (GET /api/mase/meetings), and a manager's form to create one (the agenda is proposed
// from the radar). /mase/{id}: one meeting (GET /api/mase/meetings/{id}): its agenda with the reasons, minutes
// per item, an item added with a reason, the actions agreed, and closing it; writes are the chair's or a manager
// of the chair's agency's (the API refuses anyone else).
import { ApiError, get, post } from '../api';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, problemPage, render, requireSession, setTitle, showNavigation } from '../layout';
import { actionStatusText, AGENDA_REASONS, fieldErrorFromApi, isoToday, addDays, validateMeeting } from '../practice';
import { actionForm, confirmation, FormErrors, link, selectField, table, textArea, textField } from '../practice_ui';
import type { AgendaItem, Meeting, MeetingSummary, PracticeAction, SessionInfo } from '../types';

function createForm(session: SessionInfo): HTMLElement {
  const errors = new FormErrors(['meeting-district', 'meeting-date', 'meeting-chair', 'meeting-panel']);
  const [districtGroup, district] = textField('meeting-district', 'District', { hint: 'For example Birmingham. The agenda is proposed from this district’s radar.', width: '20' });
  const [dateGroup, date] = textField('meeting-date', 'Date of the meeting', { hint: `YYYY-MM-DD, for example ${addDays(isoToday(), 7)}.`, width: '10', inputmode: 'numeric' });
  const [chairGroup, chair] = textField('meeting-chair', 'Chair', { hint: 'The chair’s user name (a practitioner or manager).', width: '20', value: session.user });
  const [panelGroup, panel] = textField('meeting-panel', 'Panel members', { hint: 'User names separated by commas, for example wmp-practitioner, nhs-practitioner. Each gets a MASE listing request for the children on the agenda, approved by someone else.' });
  const form = el('form', { novalidate: true, id: 'meeting-form' }, errors.summary, districtGroup, dateGroup, chairGroup, panelGroup,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Create meeting'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { district: district.value, date: date.value, chair: chair.value, panel: panel.value };
    const problems = validateMeeting(input);
    errors.set(problems);
    if (problems.length) return;
    const body: Record<string, string> = { district: input.district.trim(), date: input.date.trim(), chair: input.chair.trim() };
    if (input.panel.trim()) body.panel = input.panel.trim();
    try {
      const { data } = await post<Meeting>('/api/mase/meetings', body);
      window.location.assign(`/mase/${data.id}`);
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { district: 'meeting-district', date: 'meeting-date', chair: 'meeting-chair', panel: 'meeting-panel' }, 'The meeting was not created')]);
    }
  });
  return form;
}

export async function maseListPage(): Promise<void> {
  const pending = early(get<{ meetings: MeetingSummary[] }>('/api/mase/meetings'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/mase');
  setTitle('MASE meetings');
  let meetings: MeetingSummary[];
  try {
    meetings = (await pending).meetings;
  } catch (e) {
    return apiProblem(e);
  }
  render(
    el('h1', { class: 'govuk-heading-l' }, 'MASE meetings'),
    el('p', { class: 'govuk-body' }, 'Multi-Agency Sexual Exploitation panels: the agenda is proposed from the radar (children newly serious or significant, rising, missing again, reviews overdue, new places of concern), minutes are kept per item, and actions agreed are tracked.'),
    meetings.length === 0
      ? el('p', { class: 'govuk-body', id: 'meetings-table' }, 'There are no meetings yet.')
      : table('meetings-table', 'Newest first', ['Meeting', 'District', 'Date', 'Chair', 'Panel', 'Status'],
          meetings.map((m) => [link(`/mase/${m.id}`, `Meeting ${m.id}`), m.district, m.date, `${m.chair} (${m.chair_agency})`, m.panel.join(', '), humanise(m.status)])),
    session.role === 'manager'
      ? [el('h2', { class: 'govuk-heading-m' }, 'Create a meeting'), createForm(session)]
      : el('p', { class: 'govuk-body' }, 'A manager creates meetings.'),
  );
}

function subjectOf(i: AgendaItem): HTMLElement | string {
  if (i.person_id) return el('span', { class: 'rr-nowrap' }, link(`/children/${i.person_id}`, `Child ${i.person_id}`));
  if (i.place_id) return el('span', { class: 'rr-nowrap' }, link(`/places/${i.place_id}`, `Place ${i.place_id}`));
  return 'Not shown';
}

// Minutes for one item at a time: the agenda can be long (every child newly serious or significant in the
// district), so the items are a table and this form picks the item.
function minutesForm(m: Meeting, onSaved: (m: Meeting, item: number) => void): HTMLElement {
  const errors = new FormErrors(['minutes-item', 'minutes-text']);
  const open = m.agenda.filter((i) => !i.removed);
  const [itemGroup, which] = selectField('minutes-item', 'Agenda item', [['', 'Choose an item'],
    ...open.map((i): [string, string] => [String(i.id), `Item ${i.id}: ${i.person_id ? `child ${i.person_id}` : `place ${i.place_id}`}${i.minutes ? ' (has minutes)' : ''}`])]);
  const [textGroup, area] = textArea('minutes-text', 'Minutes', 'What the panel discussed and agreed. Saving replaces the item’s minutes. Up to 20,000 characters.', 4);
  which.addEventListener('change', () => {
    area.value = open.find((i) => String(i.id) === which.value)?.minutes ?? '';
  });
  const form = el('form', { novalidate: true, id: 'minutes-form' }, errors.summary, itemGroup, textGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Save minutes'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = [];
    if (!which.value) problems.push({ field: 'minutes-item', message: 'Choose the agenda item' });
    const n = [...area.value.trim()].length;
    if (n === 0 || n > 20000) problems.push({ field: 'minutes-text', message: n === 0 ? 'Enter the minutes' : 'The minutes must be 20,000 characters or fewer' });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<Meeting>(`/api/mase/meetings/${m.id}/agenda/${which.value}/minutes`, { minutes: area.value.trim() });
      onSaved(data, Number(which.value));
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { minutes: 'minutes-text' }, 'The minutes were not saved')]);
    }
  });
  return form;
}

// Removing an item keeps it on the record, marked removed with the reason (the API's rule).
function removeForm(m: Meeting, onRemoved: (m: Meeting, item: number) => void): HTMLElement {
  const errors = new FormErrors(['remove-item', 'remove-reason']);
  const open = m.agenda.filter((i) => !i.removed);
  const [itemGroup, which] = selectField('remove-item', 'Agenda item', [['', 'Choose an item'],
    ...open.map((i): [string, string] => [String(i.id), `Item ${i.id}: ${i.person_id ? `child ${i.person_id}` : `place ${i.place_id}`}`])]);
  const [reasonGroup, reason] = textArea('remove-reason', 'Why it is removed', 'For example “discussed at the strategy meeting last week”. 10 to 1,000 characters; kept with the item.', 2);
  const form = el('form', { novalidate: true, id: 'remove-form' }, errors.summary, itemGroup, reasonGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Remove from the agenda'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = [];
    if (!which.value) problems.push({ field: 'remove-item', message: 'Choose the agenda item to remove' });
    const n = [...reason.value.trim()].length;
    if (n < 10 || n > 1000) problems.push({ field: 'remove-reason', message: 'Say why the item is removed, 10 to 1,000 characters' });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<Meeting>(`/api/mase/meetings/${m.id}/agenda/${which.value}/remove`, { reason: reason.value.trim() });
      onRemoved(data, Number(which.value));
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { reason: 'remove-reason' }, 'The item was not removed')]);
    }
  });
  return form;
}

// The first AGENDA_SHOWN items, and a button for the rest.
const AGENDA_SHOWN = 50;

function agendaTable(items: AgendaItem[], all = false): HTMLElement {
  if (items.length === 0) return el('p', { class: 'govuk-body', id: 'agenda-table' }, 'The agenda is empty (or every item is about a child you may not see).');
  const shown = all ? items : items.slice(0, AGENDA_SHOWN);
  const t = table('agenda-table', shown.length < items.length ? `${items.length} items (the first ${shown.length} shown)` : `${items.length} ${items.length === 1 ? 'item' : 'items'}`,
    ['Item', 'About', 'Why it is on the agenda', 'Minutes'],
    shown.map((i) => [String(i.id), subjectOf(i),
      [i.reasons.map((r) => AGENDA_REASONS[r] ?? humanise(r)).join(', '), i.note ? `: ${i.note}` : '', i.removed ? el('strong', {}, ` Removed: ${i.removal_reason}`) : ''],
      i.minutes ? `${i.minutes} (${i.minutes_by}, ${(i.minutes_at ?? '').slice(0, 10)})` : 'None yet']));
  if (shown.length === items.length) return t;
  const more = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: 'agenda-all', 'data-module': 'govuk-button' }, `Show all ${items.length} items`);
  const wrapper = el('div', {}, t, more);
  more.addEventListener('click', () => wrapper.replaceWith(agendaTable(items, true)));
  return wrapper;
}

function row(key: string, value: string): HTMLElement {
  return el('div', { class: 'govuk-summary-list__row' }, el('dt', { class: 'govuk-summary-list__key' }, key), el('dd', { class: 'govuk-summary-list__value' }, value));
}

function addItemForm(m: Meeting, onAdded: (m: Meeting) => void): HTMLElement {
  const errors = new FormErrors(['item-child', 'item-note']);
  const [childGroup, child] = textField('item-child', 'Child’s number', { hint: 'The riskradar number of the child to discuss.', width: '10', inputmode: 'numeric' });
  const [noteGroup, note] = textArea('item-note', 'Why', 'For example “raised by the school this week”. 10 to 1,000 characters.', 2);
  const form = el('form', { novalidate: true, id: 'item-form' }, errors.summary, childGroup, noteGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Add to the agenda'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = [];
    if (!/^\d{1,18}$/.test(child.value.trim())) problems.push({ field: 'item-child', message: 'Enter the child’s number (digits only)' });
    const n = [...note.value.trim()].length;
    if (n < 10 || n > 1000) problems.push({ field: 'item-note', message: 'Say why the child is discussed, 10 to 1,000 characters' });
    errors.set(problems);
    if (problems.length) return;
    try {
      const { data } = await post<Meeting>(`/api/mase/meetings/${m.id}/agenda`, { person_id: child.value.trim(), note: note.value.trim() });
      onAdded(data);
    } catch (e) {
      const message = e instanceof ApiError && e.status === 404 ? 'There is no child you may see with this number' : null;
      errors.set([message ? { field: 'item-child', message } : fieldErrorFromApi(e, { person_id: 'item-child', note: 'item-note' }, 'The item was not added')]);
    }
  });
  return form;
}

export async function masePage(id: string): Promise<void> {
  const pending = early(get<Meeting>(`/api/mase/meetings/${id}`));
  const actionsPending = early(get<{ actions: PracticeAction[] }>(`/api/actions?link_kind=meeting&link_id=${id}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/mase');
  let m: Meeting;
  try {
    m = await pending;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return problemPage('There is no meeting with this number', el('p', { class: 'govuk-body' }, link('/mase', 'Back to the meetings')));
    }
    return apiProblem(e);
  }
  let actions: PracticeAction[] = [];
  try {
    actions = (await actionsPending).actions;
  } catch {
    actions = [];
  }
  setTitle(`MASE meeting ${m.id}`);
  const canWrite = m.status !== 'closed' && (session.user === m.chair || (session.role === 'manager' && session.agency === m.chair_agency));
  const banner = el('div', {});
  const agenda = el('div', { id: 'agenda' });
  const minutesSlot = el('div', {});
  const removeSlot = el('div', {});
  const actionsSlot = el('div', {});
  const done = (text: string) => {
    const box = confirmation('meeting-done', text);
    banner.replaceChildren(box);
    box.focus();
  };
  const drawAgenda = () => {
    agenda.replaceChildren(agendaTable(m.agenda));
    minutesSlot.replaceChildren(minutesForm(m, (next, item) => {
      m = next;
      drawAgenda();
      done(`Minutes saved for item ${item}.`);
    }));
    removeSlot.replaceChildren(removeForm(m, (next, item) => {
      m = next;
      drawAgenda();
      done(`Item ${item} removed from the agenda; it stays on the record with your reason.`);
    }));
  };
  const drawActions = () => actionsSlot.replaceChildren(actions.length === 0
    ? el('p', { class: 'govuk-body', id: 'meeting-actions-table' }, 'No actions agreed yet.')
    : table('meeting-actions-table', 'Actions agreed at this meeting', ['Number', 'Action', 'Owner', 'Due', 'Status'],
        actions.map((a) => [String(a.id), a.title, `${a.owner_user} (${a.owner_agency})`, a.due, actionStatusText(a)])));
  drawAgenda();
  drawActions();
  const close = el('form', { novalidate: true, id: 'close-form' },
    el('div', { class: 'govuk-warning-text' }, el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
      el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'),
        'Closing the meeting ends the panel’s MASE listings for its children and withdraws listing requests not yet approved. Minutes can no longer be changed.')),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--warning', 'data-module': 'govuk-button' }, 'Close the meeting'));
  close.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await post(`/api/mase/meetings/${m.id}/close`, {});
      window.location.reload();
    } catch (e) {
      banner.replaceChildren(el('div', { class: 'govuk-error-summary', tabindex: '-1', role: 'alert' },
        el('h2', { class: 'govuk-error-summary__title' }, 'The meeting was not closed'),
        el('div', { class: 'govuk-error-summary__body' }, el('p', { class: 'govuk-body' }, e instanceof ApiError ? e.message : 'the service could not be reached'))));
    }
  });
  render(
    banner,
    el('a', { class: 'govuk-back-link', href: '/mase' }, 'Back to the meetings'),
    el('span', { class: 'govuk-caption-l' }, `MASE meeting ${m.id}`),
    el('h1', { class: 'govuk-heading-l' }, `${m.district}, ${m.date}`),
    el('dl', { class: 'govuk-summary-list', id: 'meeting-summary' },
      row('Status', humanise(m.status)),
      row('Chair', `${m.chair} (${m.chair_agency})`),
      row('Panel', m.panel.join(', ') || 'None'),
      row('Listings last until', m.period_end)),
    el('h2', { class: 'govuk-heading-m' }, 'Agenda'),
    canWrite ? null : el('p', { class: 'govuk-body' }, m.status === 'closed' ? 'The meeting is closed.' : 'Only the chair, or a manager of the chair’s agency, records minutes and changes the agenda.'),
    agenda,
    canWrite ? [el('h3', { class: 'govuk-heading-s' }, 'Record minutes'), minutesSlot] : null,
    canWrite ? el('details', { class: 'govuk-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Add a child to the agenda')),
      el('div', { class: 'govuk-details__text' }, addItemForm(m, (next) => {
        m = next;
        drawAgenda();
        done('The child was added to the agenda.');
      }))) : null,
    canWrite ? el('details', { class: 'govuk-details', id: 'remove-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Remove an item from the agenda')),
      el('div', { class: 'govuk-details__text' }, removeSlot)) : null,
    el('h2', { class: 'govuk-heading-m' }, 'Actions'),
    actionsSlot,
    session.role === 'practitioner' || session.role === 'manager'
      ? el('details', { class: 'govuk-details', id: 'meeting-action-details' },
          el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Record an action agreed at this meeting')),
          el('div', { class: 'govuk-details__text' }, actionForm('meeting', m.id, { agency: session.agency, user: session.user }, (a) => {
            actions = [...actions, a];
            drawActions();
          })))
      : null,
    canWrite ? [el('h2', { class: 'govuk-heading-m' }, 'Close the meeting'), close] : null,
  );
}
