// /disruptions: the disruption tracker (GET /api/disruptions): orders and notices with their subject, dates,
// status and breaches; record a new one (POST /api/disruptions) or a breach (POST /api/disruptions/{id}/breaches).
import { ApiError, get, patch, post } from '../api';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, render, requireSession, setTitle, showNavigation } from '../layout';
import { conflictMessage, DISRUPTION_KINDS, disruptionKindLabel, fieldErrorFromApi, ifMatch, isIsoDate, isoToday, validateBreach, validateDisruption } from '../practice';
import { confirmation, FormErrors, link, nowrap, radioField, selectField, table, textArea, textField } from '../practice_ui';
import type { Disruption, SessionInfo } from '../types';

function subject(d: Disruption): (HTMLElement | string)[] {
  const parts: (HTMLElement | string)[] = [];
  if (d.person_id) parts.push(`Person ${d.person_id}`);
  if (d.person_id && d.place_id) parts.push(' at ');
  if (d.place_id) parts.push(link(`/places/${d.place_id}`, `place ${d.place_id}`));
  return parts;
}

function recordForm(session: SessionInfo, onAdded: (d: Disruption) => void): HTMLElement {
  const ids = ['disruption-kind', 'disruption-person', 'disruption-place', 'disruption-agency', 'disruption-issued', 'disruption-expires', 'disruption-note'];
  const errors = new FormErrors(ids);
  const [kindGroup, kind] = selectField('disruption-kind', 'Kind', [['', 'Choose the kind'], ...DISRUPTION_KINDS]);
  const [personGroup, person] = textField('disruption-person', 'Subject person’s number', { hint: 'The riskradar number of the adult it is served on, if any.', width: '10', inputmode: 'numeric' });
  const [placeGroup, place] = textField('disruption-place', 'Place’s number', { hint: 'The riskradar number of the place, if any (for example a hotel). A person, a place or both.', width: '10', inputmode: 'numeric' });
  const [agencyGroup, agency] = textField('disruption-agency', 'Issuing agency', { hint: 'The agency’s code, for example wmp.', width: '10', value: session.agency });
  const [issuedGroup, issued] = textField('disruption-issued', 'Issued on', { hint: 'YYYY-MM-DD.', width: '10', inputmode: 'numeric' });
  const [expiresGroup, expires] = textField('disruption-expires', 'Expires on (optional)', { hint: 'YYYY-MM-DD; blank if it has no expiry. An alert goes out 28 days before.', width: '10', inputmode: 'numeric' });
  const [noteGroup, note] = textArea('disruption-note', 'Note (optional)', 'Up to 1,000 characters.', 2);
  const form = el('form', { novalidate: true, id: 'disruption-form' }, errors.summary, kindGroup, personGroup, placeGroup, agencyGroup, issuedGroup, expiresGroup, noteGroup,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Record order or notice'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { kind: kind.value, personId: person.value, placeId: place.value, issuingAgency: agency.value, issued: issued.value, expires: expires.value, note: note.value };
    const problems = validateDisruption(input, isoToday());
    errors.set(problems);
    if (problems.length) return;
    const body: Record<string, string> = { kind: input.kind, issuing_agency: input.issuingAgency.trim(), issued: input.issued.trim() };
    if (input.personId.trim()) body.person_id = input.personId.trim();
    if (input.placeId.trim()) body.place_id = input.placeId.trim();
    if (input.expires.trim()) body.expires = input.expires.trim();
    if (input.note.trim()) body.note = input.note.trim();
    try {
      const { data } = await post<Disruption>('/api/disruptions', body);
      form.reset();
      agency.value = session.agency;
      onAdded(data);
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { kind: 'disruption-kind', person_id: 'disruption-person', place_id: 'disruption-place', issuing_agency: 'disruption-agency', issued: 'disruption-issued', expires: 'disruption-expires', note: 'disruption-note' }, 'The order was not recorded')]);
    }
  });
  return form;
}

function breachForm(list: Disruption[], onBreach: (d: Disruption) => void): HTMLElement {
  const errors = new FormErrors(['breach-disruption', 'breach-date', 'breach-note']);
  const [whichGroup, which] = selectField('breach-disruption', 'Order or notice', [['', 'Choose one'], ...list.map((d): [string, string] => [String(d.id), `${d.id}: ${disruptionKindLabel(d.kind)}, issued ${d.issued}`])]);
  const [dateGroup, date] = textField('breach-date', 'Date of the breach', { hint: 'YYYY-MM-DD; not before the order was issued, not in the future.', width: '10', inputmode: 'numeric' });
  const [noteGroup, note] = textArea('breach-note', 'What happened', '3 to 1,000 characters.', 2);
  const form = el('form', { novalidate: true, id: 'breach-form' }, errors.summary, whichGroup, dateGroup, noteGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--warning', 'data-module': 'govuk-button' }, 'Record breach'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const d = list.find((x) => String(x.id) === which.value);
    const problems = d ? validateBreach(date.value, note.value, d.issued, isoToday()) : [{ field: 'breach-disruption', message: 'Choose the order or notice that was breached' }];
    errors.set(problems);
    if (problems.length || !d) return;
    try {
      const { data } = await post<Disruption>(`/api/disruptions/${d.id}/breaches`, { date: date.value.trim(), note: note.value.trim() });
      form.reset();
      onBreach(data);
    } catch (e) {
      errors.set([fieldErrorFromApi(e, { date: 'breach-date', note: 'breach-note' }, 'The breach was not recorded')]);
    }
  });
  return form;
}

// Status, expiry and note of an order (PATCH with If-Match of the version listed): the issuing agency's users only.
function updateForm(list: Disruption[], session: SessionInfo, onUpdated: (d: Disruption) => void): HTMLElement {
  const errors = new FormErrors(['update-disruption', 'update-disruption-status', 'update-disruption-expires', 'update-disruption-note']);
  const own = list.filter((d) => d.issuing_agency === session.agency);
  const [whichGroup, which] = selectField('update-disruption', 'Order or notice', [['', 'Choose one'], ...own.map((d): [string, string] => [String(d.id), `${d.id}: ${disruptionKindLabel(d.kind)} (${humanise(d.status)})`])],
    'Orders and notices your agency issued.');
  const [statusGroup, status] = radioField('update-disruption-status', 'Status', [['active', 'Active'], ['expired', 'Expired'], ['revoked', 'Revoked'], ['discharged', 'Discharged']]);
  const [expiresGroup, expires] = textField('update-disruption-expires', 'New expiry date (optional)', { hint: 'YYYY-MM-DD; blank keeps the current one.', width: '10', inputmode: 'numeric' });
  const [noteGroup, note] = textArea('update-disruption-note', 'Note (optional)', 'Replaces the note. Up to 1,000 characters.', 2);
  const form = el('form', { novalidate: true, id: 'update-disruption-form' }, errors.summary, whichGroup, statusGroup, expiresGroup, noteGroup,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Update order or notice'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const d = own.find((x) => String(x.id) === which.value);
    const problems = [];
    if (!d) problems.push({ field: 'update-disruption', message: 'Choose the order or notice to update' });
    const to = status();
    const exp = expires.value.trim();
    if (!to && !exp && !note.value.trim()) problems.push({ field: 'update-disruption-status', message: 'Select a status, or give a new expiry date or note' });
    if (exp && !isIsoDate(exp)) problems.push({ field: 'update-disruption-expires', message: 'Enter the expiry date as YYYY-MM-DD' });
    else if (exp && d && exp < d.issued) problems.push({ field: 'update-disruption-expires', message: `The expiry date cannot be before the issue date (${d.issued})` });
    if ([...note.value].length > 1000) problems.push({ field: 'update-disruption-note', message: 'The note must be 1,000 characters or fewer' });
    errors.set(problems);
    if (problems.length || !d) return;
    const body: Record<string, string> = {};
    if (to) body.status = to;
    if (exp) body.expires = exp;
    if (note.value.trim()) body.note = note.value.trim();
    try {
      const { data } = await patch<Disruption>(`/api/disruptions/${d.id}`, body, { 'If-Match': ifMatch(d.version) });
      onUpdated(data);
    } catch (e) {
      const conflict = conflictMessage(e, 'order');
      const forbidden = e instanceof ApiError && e.status === 403 ? 'Only the issuing agency’s users may update this order or notice.' : null;
      errors.set([conflict || forbidden ? { field: '', message: (conflict ?? forbidden) as string }
        : fieldErrorFromApi(e, { status: 'update-disruption-status', expires: 'update-disruption-expires', note: 'update-disruption-note' }, 'The order was not updated')],
      conflict ? 'The order has changed since you opened the page' : undefined);
    }
  });
  return own.length ? form : el('p', { class: 'govuk-body', id: 'update-disruption-form' }, 'Your agency issued none of the orders or notices listed.');
}

export async function disruptionsPage(): Promise<void> {
  const pending = early(get<{ disruptions: Disruption[] }>('/api/disruptions'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/disruptions');
  setTitle('Disruption tracker');
  let list: Disruption[];
  try {
    list = (await pending).disruptions;
  } catch (e) {
    return apiProblem(e);
  }
  const banner = el('div', {});
  const tableSlot = el('div', {});
  const breachSlot = el('div', {});
  const updateSlot = el('div', {});
  const done = (text: string) => {
    const box = confirmation('disruption-done', text);
    banner.replaceChildren(box);
    box.focus();
  };
  const draw = () => {
    tableSlot.replaceChildren(list.length === 0
      ? el('p', { class: 'govuk-body', id: 'disruptions-table' }, 'No orders or notices you may see.')
      : table('disruptions-table', 'Orders and notices by number', ['Number', 'Kind', 'Subject', 'Issued by', 'Issued', 'Expires', 'Status', 'Breaches'],
          list.map((d) => [String(d.id), [disruptionKindLabel(d.kind), d.source_event_id ? el('span', { class: 'govuk-body-s' }, ' (from police records)') : ''], subject(d),
            d.issuing_agency, nowrap(d.issued), nowrap(d.expires ?? 'No expiry'), humanise(d.status),
            d.breaches.length ? d.breaches.map((b) => `${b.date}: ${b.note}`).join('; ') : 'None'])));
    updateSlot.replaceChildren(updateForm(list, session, (d) => {
      list = list.map((x) => (x.id === d.id ? d : x));
      draw();
      done(`${disruptionKindLabel(d.kind)} ${d.id} updated: ${humanise(d.status).toLowerCase()}${d.expires ? `, expires ${d.expires}` : ''}.`);
    }));
    breachSlot.replaceChildren(list.length ? breachForm(list, (d) => {
      list = list.map((x) => (x.id === d.id ? d : x));
      draw();
      done(`Breach recorded on ${disruptionKindLabel(d.kind)} ${d.id}. Everyone working with the children linked to it is alerted.`);
    }) : el('p', { class: 'govuk-body' }, 'There is nothing to record a breach against.'));
  };
  draw();
  render(
    banner,
    el('h1', { class: 'govuk-heading-l' }, 'Disruption tracker'),
    el('p', { class: 'govuk-body' }, 'Orders and notices that disrupt people and places of concern: Child Abduction Warning Notices, Sexual Risk and Sexual Harm Prevention Orders, hotel and B&B notices, licensing reviews and closure orders. Police disruption events in the imports are listed on their own.'),
    tableSlot,
    el('h2', { class: 'govuk-heading-m' }, 'Record a breach'),
    breachSlot,
    el('h2', { class: 'govuk-heading-m' }, 'Update an order or notice'),
    el('p', { class: 'govuk-body' }, 'If a colleague changed it after you opened this page, your update is refused and you are asked to reload.'),
    updateSlot,
    el('h2', { class: 'govuk-heading-m' }, 'Record an order or notice'),
    recordForm(session, (d) => {
      list = [...list, d].sort((a, b) => a.id - b.id);
      draw();
      done(`${disruptionKindLabel(d.kind)} recorded as number ${d.id}.`);
    }),
  );
}
