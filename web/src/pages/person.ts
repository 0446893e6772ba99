// /people/{id}: a person's ego network (GET /api/people/{id}/network?hops=N) as a chart with its filters, tables
// and GraphML download. ?hops= (1 to 3) widens it; the page keeps it in the address so the view can be shared.
// A person outside the viewer's rights answers as a missing one (the API's 404).
import { ApiError, get } from '../api';
import { el } from '../dom';
import { apiProblem, early, problemPage, render, requireSession, setTitle, showNavigation } from '../layout';
import { NODE_STYLE, type Graph } from '../network_graph';
import { SEES_GRAPH } from './networks';
import { networkSection } from './network_view';
import { caseNotes, READS_NOTES } from '../practice_ui';

export const MAX_HOPS = 3;

// The hops asked for in the address: 1 to MAX_HOPS, anything else 1.
export function hopsFrom(search: string): number {
  const raw = new URLSearchParams(search).get('hops');
  const n = raw !== null && /^[1-9]$/.test(raw) ? Number(raw) : 1;
  return n >= 1 && n <= MAX_HOPS ? n : 1;
}

export async function personPage(id: string): Promise<void> {
  const hops = hopsFrom(window.location.search);
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/networks');
  if (!SEES_GRAPH.includes(session.role)) {
    return problemPage('You cannot see this page', el('p', { class: 'govuk-body' }, 'Your role sees networks as counts only.'));
  }
  let graph: Graph & { person: number; hops: number };
  try {
    graph = await early(get<Graph & { person: number; hops: number }>(`/api/people/${id}/network?hops=${hops}`));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return problemPage('There is no person you can see with this number',
        el('p', { class: 'govuk-body' }, 'Either there is no such person, or every record of them is outside your rights.'),
        el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/networks' }, 'Back to the networks')));
    }
    return apiProblem(e);
  }
  const centre = graph.nodes.find((n) => n.centre);
  const who = centre ? centre.label || `Person ${id}` : `Person ${id}`;
  const kind = centre ? NODE_STYLE[centre.kind]?.name ?? centre.kind : 'Person';
  setTitle(`${who}: network`);
  const chart = networkSection(graph, {
    downloadHref: `/api/people/${id}/network/export?hops=${hops}&format=graphml`,
    downloadName: `person-${id}-network.graphml`,
  });
  const hopsSelect = el('select', { class: 'govuk-select', id: 'hops', name: 'hops' },
    [1, 2, 3].map((h) => el('option', { value: String(h), selected: h === hops }, h === 1 ? 'Direct contacts (1 step)' : `Up to ${h} steps`)));
  render(
    el('a', { class: 'govuk-back-link', href: '/networks' }, 'Back to the networks'),
    el('span', { class: 'govuk-caption-l' }, kind),
    el('h1', { class: 'govuk-heading-l' }, `${who}: network`),
    el('p', { class: 'govuk-body-l' },
      `The people and places within ${hops} ${hops === 1 ? 'step' : 'steps'} of this person in the latest network analysis: ${graph.nodes.length} people and places, ${graph.edges.length} links.`),
    centre?.kind === 'child' && el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: `/children/${id}` }, "Open the child's chronology")),
    el('form', { method: 'get', action: `/people/${id}`, class: 'rr-inline-form', id: 'hops-form' },
      el('div', { class: 'govuk-form-group' },
        el('label', { class: 'govuk-label govuk-label--s', for: 'hops' }, 'How far to look'),
        hopsSelect),
      el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary' }, 'Show')),
    chart.section,
    // An adult's case notes (a child's are on the chronology, with the rest of the child's record).
    ...(centre?.kind !== 'child' && READS_NOTES.includes(session.role)
      ? [el('h2', { class: 'govuk-heading-m' }, 'Case notes'),
        caseNotes(`/api/people/${id}`, session,
          'A record of your agency about this adult: colleagues see it; another agency sees it only under a sharing agreement and their own work with this adult. Up to 4,000 characters.')]
      : []),
  );
  await chart.draw();
}
