// /children/{id}: the child view (GET /api/children/{id}) filtered by need-to-know: the level and why, each
// indicator with its evidence, what would change the level, and the chronology by agency. A child outside
// the user's rights answers like a missing one; break-glass asks for a reason and says it will be reviewed.
import { ApiError, get, post } from '../api';
import { el } from '../dom';
import { chronologyByAgency, formatProbability, formatWeight, humanise, isMissingEpisode, levelLabel, reasonProblem } from '../format';
import { apiProblem, early, formGroup, levelTag, render, requireSession, setFieldError, setTitle, showErrors, showNavigation } from '../layout';
import { judgementSections } from './judgement';
import type { ChildEvent, ChildView, Indicator, PersonRecords, WhatWouldChange } from '../types';

const BASIS: Record<string, string> = {
  own_agency: 'your agency’s own records',
  agreement_and_relationship: 'a sharing agreement and your work with this child',
  break_glass: 'break-glass (emergency access, under review)',
};

function summaryRow(key: string, value: string | HTMLElement): HTMLElement {
  return el('div', { class: 'govuk-summary-list__row' },
    el('dt', { class: 'govuk-summary-list__key' }, key),
    el('dd', { class: 'govuk-summary-list__value' }, value));
}

function indicatorSection(ind: Indicator): HTMLElement {
  return el('div', { class: 'govuk-summary-card', id: `indicator-${ind.code}` },
    el('div', { class: 'govuk-summary-card__title-wrapper' },
      el('h3', { class: 'govuk-summary-card__title' }, ind.label || humanise(ind.code)),
      el('p', { class: 'govuk-body-s govuk-!-margin-0' }, `${ind.points} ${ind.points === 1 ? 'point' : 'points'} · ${humanise(ind.group)}${ind.current ? ' · current' : ' · in the past'}`),
    ),
    el('div', { class: 'govuk-summary-card__content' },
      ind.evidence.length === 0
        ? el('p', { class: 'govuk-body' }, 'No evidence you may see.')
        : el('table', { class: 'govuk-table govuk-!-margin-0' },
            el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, `Evidence for ${ind.label || ind.code}`),
            el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
              ['Date', 'What', 'Agency', 'Source record'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
            el('tbody', { class: 'govuk-table__body' }, ind.evidence.map((e) =>
              el('tr', { class: 'govuk-table__row' },
                el('td', { class: 'govuk-table__cell rr-nowrap' }, e.date),
                el('td', { class: 'govuk-table__cell' }, `${humanise(e.kind)}: ${humanise(e.category)}`),
                el('td', { class: 'govuk-table__cell' }, e.agency),
                el('td', { class: 'govuk-table__cell' }, el('a', { class: 'govuk-link', href: `#event-${e.event_id}` }, e.source_record || `event ${e.event_id}`)),
              ))),
          ),
    ),
  );
}

function whatWouldChange(w: WhatWouldChange | null): HTMLElement[] {
  if (!w) return [];
  const lines: HTMLElement[] = [];
  if (w.note) lines.push(el('p', { class: 'govuk-body' }, w.note));
  if (w.up) lines.push(el('li', {}, `${levelLabel(w.up.level)} at ${w.up.threshold} points: the score would have to gain ${w.up.points} points.`));
  if (w.down) lines.push(el('li', {}, `${levelLabel(w.down.level)} below ${w.down.threshold} points: the score would have to lose more than ${w.down.points} points.`));
  for (const r of w.rules.filter((x) => x.applies)) {
    lines.push(el('li', {}, `The rule “${r.explanation || r.code}” sets at least ${levelLabel(r.level)}; it lapses when its condition (${r.condition}) no longer holds.`));
  }
  return [
    el('h2', { class: 'govuk-heading-m' }, 'What would change the level'),
    el('p', { class: 'govuk-body' }, `By score alone the child is in the ${levelLabel(w.score_band)} band.`),
    el('ul', { class: 'govuk-list govuk-list--bullet', id: 'what-would-change' }, lines),
  ];
}

function chronology(events: ChildEvent[]): HTMLElement[] {
  if (events.length === 0) return [el('p', { class: 'govuk-body' }, 'No events you may see.')];
  return chronologyByAgency(events).map(([agency, list]) =>
    el('section', { class: 'govuk-!-margin-bottom-6', 'aria-labelledby': `agency-${agency}` },
      el('h3', { class: 'govuk-heading-s', id: `agency-${agency}` }, `${agency} (${list.length} ${list.length === 1 ? 'event' : 'events'})`),
      el('table', { class: 'govuk-table' },
        el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, `Events recorded by ${agency}, oldest first`),
        el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
          ['Date', 'Event', 'Detail', 'Record type'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
        el('tbody', { class: 'govuk-table__body' }, list.map((e) =>
          el('tr', { class: `govuk-table__row${isMissingEpisode(e) ? ' rr-event--missing' : ''}`, id: `event-${e.id}` },
            el('td', { class: 'govuk-table__cell rr-nowrap' }, e.date),
            el('td', { class: 'govuk-table__cell' },
              isMissingEpisode(e) ? [el('strong', { class: 'govuk-tag govuk-tag--red' }, 'Missing'), ' '] : null,
              `${humanise(e.kind)}: ${humanise(e.category)}`),
            el('td', { class: 'govuk-table__cell' }, e.detail),
            el('td', { class: 'govuk-table__cell' }, humanise(e.record_class)),
          ))),
      ),
    ),
  );
}

// The source records joined into this child and why each pair was linked (GET /api/people/{id}): read only
// when asked for, since the read is itself recorded.
function linkedRecords(id: number): HTMLElement {
  const slot = el('div', { id: 'linked-records', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', class: 'govuk-button govuk-button--secondary', id: 'show-linked-records' }, 'Show the linked source records');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const p = await get<PersonRecords>(`/api/people/${id}`);
      const byMention = new Map(p.records.map((r) => [r.mention_id, r]));
      const name = (m: number) => {
        const r = byMention.get(m);
        return r ? `${r.agency} ${r.local_id}` : `mention ${m}`;
      };
      slot.replaceChildren(
        el('table', { class: 'govuk-table', id: 'records-table' },
          el('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, `${p.records.length} source ${p.records.length === 1 ? 'record' : 'records'} you may see`),
          el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
            ['Agency', 'Reference', 'Record type', 'The child appears as', 'You see it through'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
          el('tbody', { class: 'govuk-table__body' }, p.records.map((r) => el('tr', { class: 'govuk-table__row' },
            [r.agency, r.local_id, humanise(r.record_class), `${humanise(r.role)} (${r.slot})`, BASIS[r.access_basis] ?? r.access_basis].map((c) => el('td', { class: 'govuk-table__cell' }, c)))))),
        el('table', { class: 'govuk-table', id: 'links-table' },
          el('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, p.links_truncated ? 'Why the records were linked (the first 200 pairs)' : 'Why the records were linked'),
          el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
            ['Records', 'Evidence'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
          el('tbody', { class: 'govuk-table__body' }, p.links.map((l) => el('tr', { class: 'govuk-table__row' },
            el('td', { class: 'govuk-table__cell' }, `${name(l.left_mention_id)} and ${name(l.right_mention_id)}`),
            el('td', { class: 'govuk-table__cell' }, l.source === 'review'
              ? `Match weight ${formatWeight(l.match_weight ?? 0)} (probability ${formatProbability(l.match_probability ?? 0)})${l.review ? `; ${l.review.status} by ${l.review.decided_by}: ${l.review.reason}` : ''}`
              : (l.fields ?? []).map((f) => `${humanise(f.field)}: ${f.agreement}`).join('; ') || 'Linked through other records of the child'))))),
      );
    } catch (e) {
      slot.replaceChildren(el('p', { class: 'govuk-body' }, e instanceof ApiError ? `The records could not be shown: ${e.message}.` : 'The records could not be shown.'));
    } finally {
      button.disabled = false;
    }
  });
  return el('div', {}, el('p', { class: 'govuk-body' }, 'Which agencies’ records make up this child, and why they were joined. Showing them is recorded.'), button, slot);
}

// Not found, or outside the user's rights (the API cannot tell them apart, and neither does this page).
function notVisible(id: string): void {
  setTitle('Record not available');
  const errors = el('div', {});
  const reason = el('textarea', { class: 'govuk-textarea', id: 'break-glass-reason', name: 'reason', rows: '4' });
  const form = el('form', { novalidate: true, id: 'break-glass-form' },
    formGroup('break-glass-reason', 'Why do you need this record now?', reason,
      'For an emergency only, for example a child missing tonight when the owning agency cannot be reached. At least 10 characters.'),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--warning' }, 'Use break-glass access'),
  );
  render(
    errors,
    el('h1', { class: 'govuk-heading-l' }, 'There is no record you can see with this number'),
    el('p', { class: 'govuk-body' }, `Child ${id} does not exist, or you have no need to know about this child: your agency holds no record of the child, and no other agency’s records are open to you (that needs a sharing agreement and your work with the child).`),
    el('p', { class: 'govuk-body' }, 'If you have a reason to work with this child, ask your manager to record the allocation.'),
    el('details', { class: 'govuk-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Emergency access (break-glass)')),
      el('div', { class: 'govuk-details__text' },
        el('div', { class: 'govuk-warning-text' },
          el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
          el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'),
            'Break-glass opens every record of this child to you for one hour. It is recorded, alerted and reviewed by your information governance lead, with your reason.')),
        form,
      ),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problem = reasonProblem(reason.value);
    setFieldError('break-glass-reason', problem);
    if (problem) return showErrors(errors, [{ field: 'break-glass-reason', message: problem }]);
    try {
      await post(`/api/children/${id}/break-glass`, { reason: reason.value.trim() });
      window.location.reload();
    } catch (e) {
      const message = e instanceof ApiError ? e.message : 'break-glass was not recorded';
      setFieldError('break-glass-reason', message);
      showErrors(errors, [{ field: 'break-glass-reason', message }]);
    }
  });
}

export async function childPage(id: string): Promise<void> {
  const pending = early(get<ChildView>(`/api/children/${id}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '');
  let child: ChildView;
  try {
    child = await pending;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return notVisible(id);
    return apiProblem(e);
  }
  const p = child.person;
  const a = child.assessment;
  const name = p.name || `Child ${p.id} (name held only in records you cannot see)`;
  setTitle(name);
  render(
    el('span', { class: 'govuk-caption-l' }, `Child ${p.id}`),
    el('h1', { class: 'govuk-heading-l' }, name),
    el('dl', { class: 'govuk-summary-list', id: 'child-summary' },
      summaryRow('Risk level', a ? levelTag(a.override_level ?? a.level, levelLabel(a.override_level ?? a.level)) : 'Not screened yet'),
      a ? summaryRow('Screened', `${a.as_of} with model ${a.model_version}, score ${a.score}`) : null,
      a && a.override_level ? summaryRow('Practitioner override', a.override_reason) : null,
      summaryRow('Date of birth', p.dob ?? 'Not known to you'),
      summaryRow('Sex', humanise(p.sex)),
      summaryRow('District', p.district || 'Not known to you'),
      summaryRow('You see this child through', child.access_basis.map((b) => BASIS[b] ?? b).join('; ')),
    ),
    child.access_basis.includes('break_glass')
      ? el('div', { class: 'govuk-warning-text' }, el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
          el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'), 'You are using break-glass access. Your information governance lead will review it.'))
      : null,
    el('h2', { class: 'govuk-heading-m' }, 'Why this level'),
    a && child.explanation_complete
      ? el('ul', { class: 'govuk-list govuk-list--bullet', id: 'explanation' }, a.explanation.map((line) => el('li', {}, line)))
      : el('p', { class: 'govuk-body', id: 'explanation' }, 'Part of the explanation rests on records you may not see, so it is not shown. The indicators below list the evidence you may see.'),
    el('h2', { class: 'govuk-heading-m' }, 'Indicators and their evidence'),
    a && a.indicators.length
      ? el('div', { id: 'indicators' }, a.indicators.map(indicatorSection))
      : el('p', { class: 'govuk-body', id: 'indicators' }, 'No indicators you may see.'),
    ...(a ? whatWouldChange(a.what_would_change) : []),
    ...judgementSections(p.id, session),
    el('h2', { class: 'govuk-heading-m' }, 'Chronology by agency'),
    el('p', { class: 'govuk-body' }, 'Missing episodes are tagged “Missing”.'),
    el('div', { id: 'chronology' }, chronology(child.events)),
    el('h2', { class: 'govuk-heading-m' }, 'Linked source records'),
    linkedRecords(p.id),
  );
}
