// /networks and /networks/{id}: the offender networks of the latest network run (GET /api/networks) with their
// sizes; a network's chart (GET /api/networks/{id}/graph, Cytoscape), its offender priority list with the
// reasons behind each score (GET /api/networks/{id}/priorities), its members and places, for roles that may
// see identities; the others see the counts only.
import { ApiError, get } from '../api';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, problemPage, render, requireSession, setTitle, showNavigation } from '../layout';
import { formatNumber, type Graph } from '../network_graph';
import type { Role } from '../types';
import { networkSection } from './network_view';

export interface NetworkSummary {
  id: number;
  offenders: number;
  children: number;
  places: number;
  size: number;
}
export interface PriorityPerson {
  person: number;
  name: string;
  records_shown: number;
  access_basis: string[];
  breakdown_complete: boolean;
  priority: {
    score: number;
    suspected_offender: boolean;
    network: number | null;
    role: string;
    measures?: Record<string, number | string | null>;
    reasons?: string[];
  } | null;
}
export interface NetworkPriorities {
  network: number;
  people: PriorityPerson[];
  hidden: number;
}

// The roles the graph and priority endpoints answer (the others see the counts).
export const SEES_GRAPH: Role[] = ['analyst', 'practitioner', 'manager'];

// The priority list: highest first, each score with the reasons behind it (the full breakdown only when every
// record of the person is within the viewer's rights).
export function prioritySection(p: NetworkPriorities): HTMLElement {
  return el('section', { id: 'network-priorities', 'aria-labelledby': 'priorities-heading' },
    el('h2', { class: 'govuk-heading-m', id: 'priorities-heading' }, 'Offender priorities'),
    el('p', { class: 'govuk-body' },
      'Persons of concern in this network, highest priority first. The score weighs how recently and how often each was in contact with children at risk, how many children and at what levels, linked offences and intelligence, and their role in the network; the reasons say what counted.'),
    p.hidden > 0 && el('p', { class: 'govuk-body', id: 'priorities-hidden' },
      `${p.hidden} ${p.hidden === 1 ? 'person' : 'people'} of concern in this network ${p.hidden === 1 ? 'is' : 'are'} known only from records outside your rights and not listed.`),
    p.people.length === 0
      ? el('p', { class: 'govuk-body' }, 'No person of concern you may see.')
      : el('table', { class: 'govuk-table', id: 'priorities-table' },
          el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, 'Offender priorities with their reasons'),
          header(['Rank', 'Person', 'Score', 'Role', 'Why'], 2),
          el('tbody', { class: 'govuk-table__body' }, p.people.map((v, i) => el('tr', { class: 'govuk-table__row' },
            cell(String(i + 1)),
            cell(el('a', { class: 'govuk-link', href: `/people/${v.person}` }, v.name || `Person ${v.person}`)),
            el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, v.priority ? formatNumber(v.priority.score) : 'not scored'),
            cell(v.priority ? humanise(v.priority.role) : ''),
            cell(v.priority?.reasons && v.priority.reasons.length
              ? el('ul', { class: 'govuk-list govuk-list--bullet govuk-body-s' }, v.priority.reasons.map((r) => el('li', {}, r)))
              : v.breakdown_complete ? 'No reason recorded.' : 'The reasons draw on records outside your rights.'))))),
  );
}

interface NetworkView {
  network: NetworkSummary;
  members: { id: number; name: string; kind: 'offender' | 'child' }[] | null;
  places: { id: number; name: string; type: string; postcode: string; district: string }[] | null;
}

const header = (labels: string[], numericFrom = 1) =>
  el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
    labels.map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${i >= numericFrom ? ' govuk-table__header--numeric' : ''}` }, h))));
const cell = (...c: (string | Node)[]) => el('td', { class: 'govuk-table__cell' }, ...c);
const numeric = (n: number) => el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, n.toLocaleString('en-GB'));

export async function networksPage(): Promise<void> {
  const pending = early(get<{ networks: NetworkSummary[] }>('/api/networks'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/networks');
  setTitle('Offender networks');
  let networks: NetworkSummary[];
  try {
    networks = (await pending).networks;
  } catch (e) {
    return apiProblem(e);
  }
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Offender networks'),
    el('p', { class: 'govuk-body-l' }, `${networks.length} networks of persons of concern linked to children at risk (the latest network analysis).`),
    networks.length === 0
      ? el('p', { class: 'govuk-body' }, 'The network analysis has found no network.')
      : el('table', { class: 'govuk-table', id: 'networks-table' },
          el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Networks and their sizes'),
          header(['Network', 'Persons of concern', 'Children', 'Places', 'People in all']),
          el('tbody', { class: 'govuk-table__body' }, networks.map((n) => el('tr', { class: 'govuk-table__row' },
            cell(el('a', { class: 'govuk-link', href: `/networks/${n.id}` }, `Network ${n.id}`)),
            numeric(n.offenders), numeric(n.children), numeric(n.places), numeric(n.size))))),
  );
}

export async function networkPage(id: string): Promise<void> {
  const pending = early(get<NetworkView>(`/api/networks/${id}`));
  const session = await requireSession();
  if (!session) return;
  const seesGraph = SEES_GRAPH.includes(session.role);
  const graphPending = seesGraph ? early(get<Graph & { network: number }>(`/api/networks/${id}/graph`)) : null;
  const prioritiesPending = seesGraph ? early(get<NetworkPriorities>(`/api/networks/${id}/priorities`)) : null;
  showNavigation(session, '/networks');
  let view: NetworkView;
  try {
    view = await pending;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return problemPage('There is no network with this number',
        el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/networks' }, 'Back to the networks')));
    }
    return apiProblem(e);
  }
  const n = view.network;
  setTitle(`Network ${n.id}`);
  let graph: Graph | null = null;
  let priorities: NetworkPriorities | null = null;
  try {
    graph = graphPending ? await graphPending : null;
    priorities = prioritiesPending ? await prioritiesPending : null;
  } catch (e) {
    return apiProblem(e);
  }
  const chart = graph ? networkSection(graph, { downloadHref: `/api/networks/${n.id}/export?format=graphml`, downloadName: `network-${n.id}.graphml` }) : null;
  render(
    el('a', { class: 'govuk-back-link', href: '/networks' }, 'Back to the networks'),
    el('h1', { class: 'govuk-heading-l' }, `Network ${n.id}`),
    el('p', { class: 'govuk-body-l' }, `${n.offenders} persons of concern, ${n.children} children and ${n.places} places.`),
    priorities && prioritySection(priorities),
    chart?.section,
    !seesGraph && el('p', { class: 'govuk-body', id: 'network-counts-only' }, 'Your role sees the counts only: the chart and the priorities are for analysts, practitioners and managers.'),
    el('h2', { class: 'govuk-heading-m' }, 'People you may see'),
    view.members && view.members.length < n.size
      ? el('p', { class: 'govuk-body' }, `${view.members.length} of the ${n.size} people: the others are known only from records outside your rights.`)
      : null,
    view.members === null
      ? el('p', { class: 'govuk-body' }, 'Your role sees the counts only.')
      : view.members.length === 0
        ? el('p', { class: 'govuk-body' }, 'No member you may see.')
        : el('table', { class: 'govuk-table', id: 'network-members' },
            el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, 'Members you may see'),
            header(['Person', 'Who'], 2),
            el('tbody', { class: 'govuk-table__body' }, view.members.map((m) => el('tr', { class: 'govuk-table__row' },
              cell(m.kind === 'child' ? el('a', { class: 'govuk-link', href: `/children/${m.id}` }, m.name || `Child ${m.id}`) : m.name || `Person ${m.id}`),
              cell(m.kind === 'child' ? 'Child' : 'Person of concern'))))),
    el('h2', { class: 'govuk-heading-m' }, 'Places'),
    view.places === null
      ? el('p', { class: 'govuk-body' }, 'Your role sees the counts only.')
      : view.places.length === 0
        ? el('p', { class: 'govuk-body' }, 'No place in this network.')
        : el('ul', { class: 'govuk-list', id: 'network-places' }, view.places.map((p) =>
            el('li', {}, `${p.name || humanise(p.type)} (${humanise(p.type).toLowerCase()}), ${p.district || 'district not known'}`))),
  );
  await chart?.draw();
}
