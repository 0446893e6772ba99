// /alerts: the user's practitioner alerts (GET /api/alerts/mine; ?all=1 adds the acknowledged ones), each with
// what happened, the child, the evidence and why the user receives it; acknowledged with an optional note.
import { ApiError, get, post } from '../api';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, render, requireSession, setTitle, showNavigation } from '../layout';
import { ALERT_KINDS, ALERT_WHY } from '../practice';
import { confirmation, FormErrors, link } from '../practice_ui';
import type { PractitionerAlert } from '../types';

function evidenceText(a: PractitionerAlert): string {
  const ids = a.evidence.ids.join(', ');
  return ids ? `${humanise(a.evidence.kind)} ${ids}` : humanise(a.evidence.kind);
}

function alertCard(a: PractitionerAlert, onAcknowledged: (a: PractitionerAlert) => void): HTMLElement {
  const noteId = `alert-note-${a.id}`;
  const errors = new FormErrors([noteId]);
  const open = a.acknowledged_at === null;
  const note = el('textarea', { class: 'govuk-textarea', id: noteId, name: 'note', rows: '2', 'aria-describedby': `${noteId}-hint` });
  const form = el('form', { novalidate: true, class: 'rr-ack-form', id: `alert-form-${a.id}` }, errors.summary,
    el('div', { class: 'govuk-form-group', id: `${noteId}-group` },
      el('label', { class: 'govuk-label govuk-label--s', for: noteId }, 'Note (optional)'),
      el('div', { class: 'govuk-hint', id: `${noteId}-hint` }, 'What you did, for example “spoke to the carer”. Up to 1,000 characters.'),
      el('p', { class: 'govuk-error-message', id: `${noteId}-error`, hidden: true }),
      note),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'data-module': 'govuk-button' },
      'Acknowledge', el('span', { class: 'govuk-visually-hidden' }, ` alert ${a.id}`)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if ([...note.value].length > 1000) return errors.set([{ field: noteId, message: 'The note must be 1,000 characters or fewer' }]);
    try {
      const { data } = await post<PractitionerAlert>(`/api/alerts/${a.id}/acknowledge`, note.value.trim() ? { note: note.value.trim() } : {});
      onAcknowledged(data);
    } catch (e) {
      const message = e instanceof ApiError && e.status === 409
        ? 'This alert was already acknowledged (perhaps in another window). Reload the page to see it.'
        : e instanceof ApiError && e.status === 400 ? `Note: ${e.message.replace(/^note: /, '')}` : `The alert was not acknowledged: ${e instanceof ApiError ? e.message : 'the service could not be reached'}`;
      errors.set([{ field: e instanceof ApiError && e.status === 400 ? noteId : '', message }]);
    }
  });
  return el('div', { class: 'govuk-summary-card', id: `alert-${a.id}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h2', { class: 'govuk-summary-card__title' }, ALERT_KINDS[a.kind] ?? humanise(a.kind),
        a.person_id ? [' · ', link(`/children/${a.person_id}`, `child ${a.person_id}`)] : null),
      el('strong', { class: `govuk-tag ${open ? 'govuk-tag--blue' : 'govuk-tag--grey'}` }, open ? 'Open' : 'Acknowledged')),
    el('div', { class: 'govuk-summary-card__content' },
      el('dl', { class: 'govuk-summary-list govuk-!-margin-bottom-4' },
        row('What happened', a.detail),
        row('Evidence', evidenceText(a)),
        row('Raised', when(a.raised_at)),
        row('Why you', ALERT_WHY[a.why] ?? humanise(a.why)),
        open ? null : row('Acknowledged', `${when(a.acknowledged_at ?? '')}${a.note ? `: ${a.note}` : ''}`)),
      open ? form : null));
}

// "2026-03-07T10:12:35.287Z" -> "2026-03-07 10:12" (UTC, as the API gives it).
const when = (t: string) => t.replace('T', ' ').slice(0, 16);

function row(key: string, value: string): HTMLElement {
  return el('div', { class: 'govuk-summary-list__row' },
    el('dt', { class: 'govuk-summary-list__key' }, key),
    el('dd', { class: 'govuk-summary-list__value' }, value));
}

export async function alertsPage(): Promise<void> {
  const all = new URLSearchParams(window.location.search).get('all') === '1';
  const pending = early(get<{ alerts: PractitionerAlert[] }>(`/api/alerts/mine${all ? '?all=1' : ''}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/alerts');
  setTitle('Your alerts');
  let alerts: PractitionerAlert[];
  try {
    alerts = (await pending).alerts;
  } catch (e) {
    return apiProblem(e);
  }
  const banner = el('div', {});
  const list = el('div', { id: 'alerts-list' });
  const count = el('p', { class: 'govuk-body-l', id: 'alerts-count' });
  const refresh = () => {
    const open = alerts.filter((a) => a.acknowledged_at === null).length;
    count.textContent = `${open} open ${open === 1 ? 'alert' : 'alerts'}${all ? ` (${alerts.length - open} acknowledged)` : ''}.`;
    list.replaceChildren(...(alerts.length ? alerts.map((a) => alertCard(a, acknowledged)) : [el('p', { class: 'govuk-body' }, 'You have no alerts.')]));
  };
  const acknowledged = (a: PractitionerAlert) => {
    alerts = all ? alerts.map((x) => (x.id === a.id ? a : x)) : alerts.filter((x) => x.id !== a.id);
    refresh();
    const done = confirmation('alert-done', `Alert ${a.id} acknowledged.`);
    banner.replaceChildren(done);
    done.focus();
  };
  refresh();
  render(
    banner,
    el('h1', { class: 'govuk-heading-l' }, 'Your alerts'),
    count,
    el('p', { class: 'govuk-body' }, 'Alerts are raised when the nightly imports run: a new missing episode, a level that rose, a new link to a person or place of concern, an overdue review or action, an order about to expire or breached. You receive those about children you work with, and, as a manager, your practitioners’.'),
    el('p', { class: 'govuk-body' }, all ? link('/alerts', 'Show open alerts only') : link('/alerts?all=1', 'Show acknowledged alerts too')),
    list,
  );
}
