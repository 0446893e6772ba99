// /: the radar, children by district and level (GET /api/radar), with a chart and the table behind it.
import { get } from '../api';
import { drawChart, LEVEL_COLOURS } from '../chart';
import { el } from '../dom';
import { LEVELS, levelLabel, ofConcern, radarRows } from '../format';
import { early, render, requireSession, setTitle, showNavigation } from '../layout';
import type { Radar } from '../types';

export async function radarPage(): Promise<void> {
  const pending = early(get<Radar>('/api/radar'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/');
  setTitle('Radar');
  const radar = await pending;
  const rows = radarRows(radar);
  // Districts with children of concern, most first, for the chart (the table lists every district).
  const charted = rows.filter((r) => ofConcern(r.counts) > 0).sort((a, b) => ofConcern(b.counts) - ofConcern(a.counts));
  const canvas = el('canvas', {
    id: 'radar-chart',
    role: 'img',
    'aria-label': 'Bar chart of children at risk, significant and serious risk by district; the table below gives the same figures.',
  });
  const find = el('form', { action: '/children', method: 'get', class: 'govuk-!-margin-bottom-6', id: 'find-child' },
    el('div', { class: 'govuk-form-group' },
      el('label', { class: 'govuk-label govuk-label--s', for: 'child-id' }, 'Open a child’s record by number'),
      el('div', { class: 'govuk-hint', id: 'child-id-hint' }, 'The child’s riskradar number, for example from a referral. Opening it is recorded.'),
      el('input', { class: 'govuk-input govuk-input--width-10', id: 'child-id', name: 'id', inputmode: 'numeric', 'aria-describedby': 'child-id-hint' }),
    ),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary' }, 'Open record'),
  );
  find.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('child-id') as HTMLInputElement;
    const id = input.value.trim();
    if (/^\d{1,18}$/.test(id)) window.location.assign(`/children/${id}`);
    else input.focus();
  });
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Regional risk radar'),
    el('p', { class: 'govuk-body-l' }, `${radar.children.toLocaleString('en-GB')} children are screened across the partnership. Levels are each child’s latest assessment; a practitioner’s override wins.`),
    el('div', { class: 'rr-count-grid', id: 'level-counts' },
      LEVELS.map((level) =>
        el('div', { class: `rr-count rr-count--${level}` },
          el('span', { class: 'rr-count__figure' }, (radar.by_level[level] ?? 0).toLocaleString('en-GB')),
          el('span', { class: 'govuk-body' }, levelLabel(level)),
        ),
      ),
    ),
    el('h2', { class: 'govuk-heading-m' }, 'Children of concern by district'),
    el('div', { class: 'rr-chart' }, canvas),
    el('table', { class: 'govuk-table', id: 'radar-table' },
      el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Children by district and level'),
      el('thead', { class: 'govuk-table__head' },
        el('tr', { class: 'govuk-table__row' },
          el('th', { scope: 'col', class: 'govuk-table__header' }, 'District'),
          LEVELS.map((l) => el('th', { scope: 'col', class: 'govuk-table__header govuk-table__header--numeric' }, levelLabel(l))),
          el('th', { scope: 'col', class: 'govuk-table__header govuk-table__header--numeric' }, 'All children'),
        ),
      ),
      el('tbody', { class: 'govuk-table__body' },
        rows.map((r) =>
          el('tr', { class: 'govuk-table__row' },
            el('th', { scope: 'row', class: 'govuk-table__header' }, r.district || 'District not known'),
            LEVELS.map((l) => el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, r.counts[l].toLocaleString('en-GB'))),
            el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, r.total.toLocaleString('en-GB')),
          ),
        ),
      ),
    ),
    el('p', { class: 'govuk-body-s' }, 'These figures are for the partnership’s own use. Anything published goes through the report’s disclosure control (small numbers suppressed).'),
    el('h2', { class: 'govuk-heading-m' }, 'Find a child'),
    find,
  );
  drawChart(canvas, {
    type: 'bar',
    data: {
      labels: charted.map((r) => r.district || 'Not known'),
      datasets: (['serious', 'significant', 'at_risk'] as const).map((level) => ({
        label: levelLabel(level),
        data: charted.map((r) => r.counts[level]),
        backgroundColor: LEVEL_COLOURS[level],
        borderColor: '#0b0c0c',
        borderWidth: 1,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Children' } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
