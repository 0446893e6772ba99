// The professional judgement on /children/{id}: the assessment trajectory as a chart with the table beside it,
// recording a screening and an override (reason mandatory; If-Match with the assessment read, a conflict told
// politely), case notes, and the child's actions. Each part loads after the child's record is shown (its own
// audited read) and says so if it cannot be shown.
import { CategoryScale, Chart, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip } from 'chart.js';
import { get, post, request } from '../api';
import { append, clear, el } from '../dom';
import { humanise, levelLabel } from '../format';
import { levelTag } from '../layout';
import {
  actionStatusText,
  conflictMessage,
  fieldErrorFromApi,
  isoToday,
  RANK_LEVEL,
  trajectoryPoints,
  trajectoryRow,
  validateOverride,
  validateScreening,
} from '../practice';
import { actionForm, caseNotes, confirmation, FormErrors, link, nowrap, radioField, table, textArea, textField, unavailable } from '../practice_ui';
import type { PracticeAction, SessionInfo, Trajectory } from '../types';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

// Indicator codes of the screening model shipped in config/screening/west-midlands.toml, offered as suggestions;
// the API checks the code against the model in use and names the observation when it is not one.
const INDICATOR_SUGGESTIONS = [
  'disclosure', 'cse_concern', 'repeat_missing', 'relationship_of_concern', 'vehicles_unknown_adults', 'unexplained_gifts_money',
  'places_of_concern', 'online_grooming_images', 'recurring_sti_pregnancy', 'whereabouts_unclear', 'education', 'unknown_contacts',
  'unexplained_injuries', 'sti_pregnancy', 'substance_misuse', 'self_harm', 'peers', 'withdrawn_allegation_distrust', 'neglect',
  'abuse', 'family_breakdown', 'domestic_abuse', 'parental_substance_mental_health', 'unsuitable_accommodation', 'looked_after',
  'learning_disability', 'no_protective_adult',
];

const SCREENING_ROWS = 3;

function trajectoryChart(t: Trajectory): HTMLElement {
  const points = trajectoryPoints(t.assessments);
  const canvas = el('canvas', { id: 'trajectory-chart', role: 'img', 'aria-label': 'Line chart of the child’s level at each assessment; overrides are drawn as triangles. The table below gives the same assessments.' });
  queueMicrotask(() =>
    new Chart(canvas, {
      type: 'line',
      data: {
        labels: points.map((p) => p.date),
        datasets: [{
          label: 'Level that counts (triangle: an override)',
          data: points.map((p) => p.rank),
          stepped: 'before',
          borderColor: '#1d70b8',
          backgroundColor: '#1d70b8',
          pointStyle: points.map((p) => (p.kind === 'override' ? 'triangle' : p.kind === 'screening' ? 'rectRot' : 'circle')),
          pointRadius: points.map((p) => (p.kind === 'pipeline' ? 4 : 7)),
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: { min: -0.5, max: 3.5, ticks: { stepSize: 0.5, callback: (v) => (Number.isInteger(Number(v)) && RANK_LEVEL[Number(v)] ? levelLabel(RANK_LEVEL[Number(v)]) : '') }, title: { display: true, text: 'Level' } },
          x: { offset: true, title: { display: true, text: 'Assessment date' } },
        },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${points[c.dataIndex].label} (${humanise(points[c.dataIndex].kind)})` } } },
      },
    }),
  );
  return el('div', { class: 'rr-chart rr-chart--small' }, canvas);
}

function overrideForm(id: number, t: Trajectory, etag: string | null, reload: () => void): HTMLElement {
  const current = t.current?.level ?? null;
  const errors = new FormErrors(['override-level', 'override-reason', 'override-next-review']);
  const [levelGroup, level] = radioField('override-level', 'The level you judge right',
    RANK_LEVEL.slice().reverse().map((l) => [l, `${levelLabel(l)}${l === current ? ' (the current level)' : ''}`]));
  const [reasonGroup, reason] = textArea('override-reason', 'Reason',
    'What you know that the model does not, for example “disclosed to the school nurse; strategy meeting today”. At least 10 characters. It is shown to everyone who may see the child.');
  const [reviewGroup, review] = textField('override-next-review', 'Review by (optional)',
    { hint: 'YYYY-MM-DD, after today and within a year. Leave blank for the usual period for the level (4 weeks for serious, 8 for significant, 3 months otherwise).', width: '10', inputmode: 'numeric' });
  const form = el('form', { novalidate: true, id: 'override-form' }, errors.summary, levelGroup, reasonGroup, reviewGroup,
    el('button', { type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button' }, 'Record override'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { level: level(), reason: reason.value, nextReview: review.value };
    const problems = validateOverride(input, current, isoToday());
    errors.set(problems);
    if (problems.length) return;
    const body: Record<string, string> = { level: input.level, reason: input.reason.trim() };
    if (input.nextReview.trim()) body.next_review = input.nextReview.trim();
    try {
      await post(`/api/children/${id}/override`, body, { 'If-Match': etag ?? '' });
      reload();
    } catch (e) {
      const conflict = conflictMessage(e, 'assessment');
      errors.set([conflict ? { field: '', message: conflict } : fieldErrorFromApi(e, { level: 'override-level', reason: 'override-reason', next_review: 'override-next-review' }, 'The override was not recorded')],
        conflict ? 'The level has changed since you opened the page' : undefined);
    }
  });
  return form;
}

function screeningForm(id: number, reload: () => void): HTMLElement {
  const ids: string[] = [];
  const rows: [HTMLInputElement, HTMLInputElement, HTMLInputElement][] = [];
  const fieldsets: HTMLElement[] = [];
  for (let i = 0; i < SCREENING_ROWS; i++) {
    ids.push(`screening-indicator-${i}`, `screening-date-${i}`, `screening-source-${i}`);
    const [g1, indicator] = textField(`screening-indicator-${i}`, 'Indicator', { list: 'screening-indicators', width: '20', hint: i === 0 ? 'An indicator of the screening model, for example unexplained_gifts_money or disclosure.' : undefined });
    const [g2, date] = textField(`screening-date-${i}`, 'Date observed', { width: '10', inputmode: 'numeric', hint: i === 0 ? 'YYYY-MM-DD, within the last year.' : undefined });
    const [g3, source] = textField(`screening-source-${i}`, 'Who or what reported it', { width: '20', hint: i === 0 ? 'For example “school nurse”. One line.' : undefined });
    rows.push([indicator, date, source]);
    fieldsets.push(el('fieldset', { class: 'govuk-fieldset govuk-!-margin-bottom-4' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, i === 0 ? 'Observation 1' : `Observation ${i + 1} (optional)`), g1, g2, g3));
  }
  const errors = new FormErrors(ids);
  const form = el('form', { novalidate: true, id: 'screening-form' }, errors.summary,
    el('datalist', { id: 'screening-indicators' }, INDICATOR_SUGGESTIONS.map((c) => el('option', { value: c }, humanise(c)))),
    fieldsets,
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', 'data-module': 'govuk-button' }, 'Record screening'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { errors: problems, observations } = validateScreening(rows.map(([a, b, c]) => ({ indicator: a.value, date: b.value, source: c.value })), isoToday());
    errors.set(problems);
    if (problems.length) return;
    try {
      await post(`/api/children/${id}/screenings`, { observations });
      reload();
    } catch (e) {
      // observations[i] counts the rows sent, which are the filled rows in order.
      const filled = rows.map(([a, b, c], i) => (a.value.trim() || b.value.trim() || c.value.trim() ? i : -1)).filter((i) => i >= 0);
      const err = fieldErrorFromApi(e, { 'observations[].indicator': 'screening-indicator-#', 'observations[].date': 'screening-date-#', 'observations[].source': 'screening-source-#', observations: 'screening-indicator-0' }, 'The screening was not recorded');
      const m = /-(\d+)$/.exec(err.field);
      if (m) err.field = err.field.replace(/\d+$/, String(filled[Number(m[1])] ?? 0));
      errors.set([err]);
    }
  });
  return form;
}

async function trajectorySection(id: number, session: SessionInfo, slot: HTMLElement): Promise<void> {
  let t: Trajectory;
  let etag: string | null;
  try {
    ({ data: t, etag } = await request<Trajectory>('GET', `/api/children/${id}/assessments`));
  } catch (e) {
    return void slot.replaceChildren(unavailable('The assessments', e));
  }
  // After a write: the trajectory read again, with the confirmation above it (focused for a screen reader).
  const reloadWith = (text: string) => () =>
    void trajectorySection(id, session, slot).then(() => {
      const done = confirmation('judgement-done', text);
      slot.prepend(done);
      done.focus();
    });
  const writes = session.role === 'practitioner' || session.role === 'manager';
  const c = t.current;
  clear(slot);
  append(slot, [
    c
      ? el('p', { class: 'govuk-body', id: 'trajectory-current' }, 'Now ', levelTag(c.level, levelLabel(c.level)),
          c.overridden ? ` by override (the model says ${levelLabel(c.model_level)})` : '',
          `; ${c.trend === 'new' ? 'first assessment' : c.trend}. Next review ${c.next_review ?? 'not set'}`, c.review_overdue ? el('strong', {}, ' (overdue)') : '', '.')
      : el('p', { class: 'govuk-body', id: 'trajectory-current' }, 'No assessment yet: record a screening first.'),
    t.assessments.length ? trajectoryChart(t) : null,
    t.assessments.length
      ? table('trajectory-table', 'Every assessment, oldest first',
          ['Date', 'How', 'Level', 'Model’s level', 'Score', 'By', 'Override and reason', 'Next review'],
          t.assessments.map((a) => trajectoryRow(a).map((cell, i) => (i === 0 || i === 7 ? nowrap(cell) : cell))), [4])
      : null,
    t.screenings.length
      ? table('screenings-table', 'Screenings: what practitioners observed', ['Recorded', 'By', 'Observed'],
          t.screenings.map((s) => [s.recorded_at.slice(0, 10), `${s.recorded_by} (${s.agency})`,
            s.observations.map((o) => `${humanise(o.indicator)} on ${o.date} (${o.source})`).join('; ')]))
      : null,
    writes && c
      ? el('details', { class: 'govuk-details', id: 'override-details' },
          el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Override the level')),
          el('div', { class: 'govuk-details__text' },
            el('p', { class: 'govuk-body' }, 'The model’s level is a starting point, not a verdict. Your override stays until its review date or a new override, and is recorded with your name.'),
            overrideForm(id, t, etag, reloadWith('Override recorded. The level below is yours until its review date.'))))
      : null,
    writes
      ? el('details', { class: 'govuk-details', id: 'screening-details' },
          el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Record a screening')),
          el('div', { class: 'govuk-details__text' },
            el('p', { class: 'govuk-body' }, 'What you have seen yourself. The model scores it with everything the agencies’ records show, as of today.'),
            screeningForm(id, reloadWith('Screening recorded: the new assessment is at the end of the table.'))))
      : null,
  ]);
}

function actionRows(actions: PracticeAction[]): HTMLElement {
  if (actions.length === 0) return el('p', { class: 'govuk-body', id: 'child-actions-table' }, 'No actions you may see for this child.');
  return table('child-actions-table', 'Actions for this child', ['Action', 'Owner', 'Due', 'Status'],
    actions.map((a) => [a.title, `${a.owner_user} (${a.owner_agency})`, a.due, actionStatusText(a)]));
}

async function actionsSection(id: number, session: SessionInfo, slot: HTMLElement): Promise<void> {
  let actions: PracticeAction[];
  try {
    actions = (await get<{ actions: PracticeAction[] }>(`/api/actions?link_kind=child&link_id=${id}`)).actions;
  } catch (e) {
    return void slot.replaceChildren(unavailable('The actions', e));
  }
  const listSlot = el('div', {}, actionRows(actions));
  slot.replaceChildren(listSlot, el('p', { class: 'govuk-body' }, link('/actions', 'All your actions')),
    el('details', { class: 'govuk-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'Set an action for this child')),
      el('div', { class: 'govuk-details__text' }, actionForm('child', id, { agency: session.agency, user: session.user }, (a) => {
        actions.push(a);
        listSlot.replaceChildren(actionRows(actions));
      }))));
}

// The sections, each filled when its read answers.
export function judgementSections(id: number, session: SessionInfo): HTMLElement[] {
  const trajectory = el('div', { id: 'trajectory', 'aria-live': 'polite' }, el('p', { class: 'govuk-body' }, 'Loading the assessments…'));
  const notes = caseNotes(`/api/children/${id}`, session,
    'A record of your agency: colleagues see it; another agency sees it only under a sharing agreement and their own work with the child. Up to 4,000 characters.');
  const actions = el('div', { id: 'child-actions' }, el('p', { class: 'govuk-body' }, 'Loading the actions…'));
  void trajectorySection(id, session, trajectory);
  const practice = session.role === 'practitioner' || session.role === 'manager';
  if (practice) void actionsSection(id, session, actions);
  const sections: (HTMLElement | null)[] = [
    el('h2', { class: 'govuk-heading-m' }, 'Assessments over time'),
    trajectory,
    el('h2', { class: 'govuk-heading-m' }, 'Case notes'),
    notes,
    practice ? el('h2', { class: 'govuk-heading-m' }, 'Actions') : null,
    practice ? actions : null,
  ];
  return sections.filter((x): x is HTMLElement => x !== null);
}
