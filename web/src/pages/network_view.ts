// The network chart section shared by /networks/{id} and /people/{id}: filters by time and edge type, the key
// (shapes and line styles in words), the Cytoscape chart, what a selected node is, the GraphML download, and the
// same nodes and links as tables (the chart's text alternative). The graph is as the API masked it.
import type { DrawnChart } from '../network_chart';
import { clear, el } from '../dom';
import {
  EDGE_KINDS,
  EDGE_STYLE,
  NODE_KINDS,
  NODE_STYLE,
  chartSummary,
  dateRange,
  filterGraph,
  isIsoDate,
  linkRows,
  nodeLabel,
  type EdgeKind,
  type Graph,
  type GraphFilter,
  type GraphNode,
} from '../network_graph';

const th = (text: string, numeric = false) =>
  el('th', { scope: 'col', class: `govuk-table__header${numeric ? ' govuk-table__header--numeric' : ''}` }, text);
const td = (text: string | number | Node, numeric = false) =>
  el('td', { class: `govuk-table__cell${numeric ? ' govuk-table__cell--numeric' : ''}` }, text);

// Where a node's own page is: a child's chronology, a person's ego network, a place's profile.
export function nodeHref(n: GraphNode): string | null {
  if (!n.identified) return null;
  const m = /^(person|place)-(\d{1,18})$/.exec(n.id);
  if (!m) return null;
  if (m[1] === 'place') return `/places/${m[2]}`;
  return n.kind === 'child' ? `/children/${m[2]}` : `/people/${m[2]}`;
}

function keyList(): HTMLElement {
  return el('dl', { class: 'govuk-summary-list govuk-summary-list--no-border rr-network-key', id: 'network-key' },
    NODE_KINDS.map((k) => el('div', { class: 'govuk-summary-list__row' },
      el('dt', { class: 'govuk-summary-list__key' }, NODE_STYLE[k].name),
      el('dd', { class: 'govuk-summary-list__value' }, `drawn as a ${NODE_STYLE[k].shapeName}, labelled "${NODE_STYLE[k].name}"`))),
    EDGE_KINDS.map((k) => el('div', { class: 'govuk-summary-list__row' },
      el('dt', { class: 'govuk-summary-list__key' }, EDGE_STYLE[k].name),
      el('dd', { class: 'govuk-summary-list__value' }, `a ${EDGE_STYLE[k].line} line`))));
}

function nodesTable(nodes: GraphNode[]): HTMLElement {
  return el('table', { class: 'govuk-table', id: 'network-nodes' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, 'People and places shown'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' }, th('Who or what'), th('Kind'))),
    el('tbody', { class: 'govuk-table__body' }, nodes.map((n) => {
      const href = nodeHref(n);
      const name = nodeLabel(n);
      return el('tr', { class: 'govuk-table__row' },
        td(href ? el('a', { class: 'govuk-link', href }, name) : name),
        td(NODE_STYLE[n.kind]?.name ?? n.kind));
    })));
}

function linksTable(nodes: GraphNode[], g: Graph['edges']): HTMLElement {
  const rows = linkRows(nodes, g);
  return el('table', { class: 'govuk-table', id: 'network-links' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, 'Links shown'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      th('From'), th('To'), th('Type'), th('First'), th('Last'), th('Occasions', true), th('Weight', true))),
    el('tbody', { class: 'govuk-table__body' }, rows.map((r) => el('tr', { class: 'govuk-table__row' },
      td(r.from), td(r.to), td(r.kind), td(r.first), td(r.last), td(r.occasions, true), td(r.weight, true)))));
}

// Reads the filter form (its inputs are in `form`).
export function readFilter(form: HTMLElement): GraphFilter {
  const kinds = new Set<EdgeKind>();
  for (const k of EDGE_KINDS) {
    const box = form.querySelector<HTMLInputElement>(`#filter-${k}`);
    if (box?.checked) kinds.add(k);
  }
  const from = form.querySelector<HTMLInputElement>('#filter-from')?.value ?? '';
  const to = form.querySelector<HTMLInputElement>('#filter-to')?.value ?? '';
  return { kinds, from: isIsoDate(from) ? from : undefined, to: isIsoDate(to) ? to : undefined };
}

function filterForm(g: Graph): HTMLElement {
  const range = dateRange(g);
  const dateInput = (id: string, label: string, value: string) =>
    el('div', { class: 'govuk-form-group rr-inline-group' },
      el('label', { class: 'govuk-label', for: id }, label),
      el('input', { class: 'govuk-input govuk-input--width-10', id, name: id, type: 'date', value, min: range?.from, max: range?.to }));
  return el('form', { id: 'network-filters', class: 'rr-network-filters', novalidate: true },
    el('fieldset', { class: 'govuk-fieldset' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'Links to show'),
      el('div', { class: 'govuk-checkboxes govuk-checkboxes--small', 'data-module': 'govuk-checkboxes' },
        EDGE_KINDS.map((k) => el('div', { class: 'govuk-checkboxes__item' },
          el('input', { class: 'govuk-checkboxes__input', id: `filter-${k}`, name: 'kind', type: 'checkbox', value: k, checked: true }),
          el('label', { class: 'govuk-label govuk-checkboxes__label', for: `filter-${k}` }, `${EDGE_STYLE[k].name} (${EDGE_STYLE[k].line} line)`))))),
    el('fieldset', { class: 'govuk-fieldset' },
      el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, 'In contact between'),
      dateInput('filter-from', 'From', range?.from ?? ''),
      dateInput('filter-to', 'To', range?.to ?? '')),
    el('button', { type: 'submit', class: 'govuk-button govuk-button--secondary', id: 'filter-apply' }, 'Apply filters'));
}

export interface NetworkSectionOptions {
  downloadHref: string; // the GraphML export of this graph
  downloadName: string;
}

// The section; call the returned draw() once it is on the page (it loads Cytoscape and draws, and again on
// every change of filter).
export function networkSection(g: Graph, o: NetworkSectionOptions): { section: HTMLElement; draw: () => Promise<void> } {
  const chart = el('div', { class: 'rr-network-chart', id: 'network-chart', role: 'img', 'aria-label': chartSummary(g.nodes, g.edges) });
  const status = el('p', { class: 'govuk-body-s', id: 'network-status', 'aria-live': 'polite' });
  const selected = el('p', { class: 'govuk-body', id: 'network-selected', 'aria-live': 'polite' }, 'Select a shape on the chart to see who or what it is.');
  const tables = el('div', { id: 'network-tables' });
  const form = filterForm(g);
  const section = el('section', { id: 'network-section', 'aria-labelledby': 'network-chart-heading' },
    el('h2', { class: 'govuk-heading-m', id: 'network-chart-heading' }, 'Network chart'),
    g.truncated && el('div', { class: 'govuk-warning-text' },
      el('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
      el('strong', { class: 'govuk-warning-text__text' }, el('span', { class: 'govuk-visually-hidden' }, 'Warning'),
        'This network is larger than one chart shows: it stops at 500 people. Download it for the whole graph around the people shown.')),
    el('p', { class: 'govuk-body' },
      'People, places and children linked by contact. Shapes and labels say what each is; a person outside your rights is a triangle labelled "Not shown", and nothing about them is sent to your browser. The tables below the chart list the same people and links.'),
    el('details', { class: 'govuk-details' },
      el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, 'How to read the chart')),
      el('div', { class: 'govuk-details__text' }, keyList())),
    form,
    status,
    chart,
    selected,
    el('p', { class: 'govuk-body' },
      el('a', { class: 'govuk-button govuk-button--secondary', id: 'network-download', href: o.downloadHref, download: o.downloadName, role: 'button' },
        'Download as GraphML'),
      ' ',
      el('span', { class: 'govuk-body-s' }, 'For Gephi or Cytoscape; masked as this page is, and the download is recorded.')),
    tables,
  );
  // The whole graph is laid out and drawn once; a change of filter then shows and hides what it draws.
  let drawn: DrawnChart | null = null;
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const edgeIndex = new Map(g.edges.map((e, i) => [e, i]));
  const draw = async () => {
    const f = readFilter(form);
    const shown = filterGraph(g, f);
    status.textContent = `Showing ${shown.nodes.length} of ${g.nodes.length} people and places, ${shown.edges.length} of ${g.edges.length} links.`;
    chart.setAttribute('aria-label', chartSummary(shown.nodes, shown.edges));
    clear(tables);
    tables.append(nodesTable(shown.nodes), linksTable(shown.nodes, shown.edges));
    try {
      if (!drawn) {
        const { drawNetworkChart } = await import('../network_chart');
        drawn = drawNetworkChart(chart, g.nodes, g.edges, (id) => {
          const n = byId.get(id);
          if (!n) return;
          const href = nodeHref(n);
          clear(selected);
          selected.append('Selected: ', href ? el('a', { class: 'govuk-link', href }, nodeLabel(n)) : nodeLabel(n));
        });
        chart.setAttribute('data-layout-ms', drawn.layoutMs.toFixed(0));
      }
      drawn.show(new Set(shown.nodes.map((n) => n.id)), new Set(shown.edges.map((e) => edgeIndex.get(e) ?? -1)));
      chart.setAttribute('data-drawn', 'true');
      chart.setAttribute('data-nodes', String(shown.nodes.length));
    } catch {
      chart.replaceWith(el('div', { class: 'govuk-inset-text', id: 'network-chart-failed' }, 'The chart could not be drawn. The tables below list the same people and links.'));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void draw();
  });
  for (const k of EDGE_KINDS) form.querySelector(`#filter-${k}`)?.addEventListener('change', () => void draw());
  return { section, draw };
}
