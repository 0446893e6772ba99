import cytoscape from 'cytoscape';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chartElements,
  chartStyle,
  dateRange,
  filterGraph,
  layoutFor,
  linkRows,
  nodeLabel,
  syntheticGraph,
  type EdgeKind,
  type Graph,
} from '../../src/network_graph';
import { networkPage } from '../../src/pages/networks';
import { hopsFrom, personPage } from '../../src/pages/person';
import { nodeHref } from '../../src/pages/network_view';
import { fakeApi, pageShell, session, settle } from './fake_api';

// The chart itself (Cytoscape on a canvas) is drawn in the browser tests; here only what the page hands it.
const drawn = vi.hoisted(() => ({
  calls: [] as { nodes: { id: string }[]; edges: unknown[] }[],
  shown: [] as { nodes: string[]; edges: number[] }[],
}));
vi.mock('../../src/network_chart', () => ({
  drawNetworkChart: (_c: HTMLElement, nodes: { id: string }[], edges: unknown[]) => {
    drawn.calls.push({ nodes, edges });
    return {
      destroy: () => undefined,
      show: (n: Set<string>, e: Set<number>) => drawn.shown.push({ nodes: [...n], edges: [...e] }),
      layoutMs: 1,
      nodes: nodes.length,
    };
  },
}));

// Carl (a person of concern, the centre), Amy (a child), a stand-in, and the hotel, as the API sends them.
const graph: Graph = {
  nodes: [
    { id: 'person-1', kind: 'child', label: 'Amy Synthetic', identified: true, level: 'serious' },
    { id: 'person-3', kind: 'person_of_concern', label: 'Carl Offender', identified: true, centre: true, priority: 12.5, network: 1, role: 'hub' },
    { id: 'hidden-1', kind: 'hidden', label: '(not shown)', identified: false },
    { id: 'place-1', kind: 'place', label: 'Synthetic Hotel', identified: true, place_type: 'hotel', district: 'Birmingham' },
  ],
  edges: [
    { source: 'person-1', target: 'person-3', kind: 'child_adult', weight: 2, occasions: 2, first: '2025-03-07', last: '2025-09-12' },
    { source: 'hidden-1', target: 'person-3', kind: 'co_offending', weight: 1, occasions: 1, first: '2024-06-01', last: '2024-06-01' },
    { source: 'person-3', target: 'place-1', kind: 'person_place', weight: 3, occasions: 3, first: '2025-01-10', last: '2025-11-30' },
  ],
  truncated: false,
};
const all = new Set<EdgeKind>(['child_adult', 'co_offending', 'person_place']);

describe('the network chart elements', () => {
  it('name every node by its kind in words and keep the shape class; a stand-in stays unnamed', () => {
    const els = chartElements(graph.nodes, graph.edges);
    const nodes = els.filter((e) => e.group === 'nodes');
    expect(nodes.map((n) => [n.data.id, n.classes, n.data.short])).toEqual([
      ['person-1', 'child', 'Child: Amy Synthetic'],
      ['person-3', 'person_of_concern centre', 'Person of concern: Carl Offender'],
      ['hidden-1', 'hidden', 'Not shown'],
      ['place-1', 'place', 'Place: Synthetic Hotel'],
    ]);
    expect(nodeLabel(graph.nodes[0])).toBe('Child: Amy Synthetic (serious)');
    expect(nodeLabel(graph.nodes[1])).toBe('Person of concern: Carl Offender (priority 12.5, hub)');
    expect(nodeLabel(graph.nodes[2])).toBe('Not shown: a person outside your rights');
    expect(nodeLabel(graph.nodes[3])).toBe('Place: Synthetic Hotel (hotel)');
    const edges = els.filter((e) => e.group === 'edges');
    expect(edges.map((e) => [e.data.source, e.data.target, e.classes])).toEqual([
      ['person-1', 'person-3', 'child_adult'],
      ['hidden-1', 'person-3', 'co_offending'],
      ['person-3', 'place-1', 'person_place'],
    ]);
  });

  it('draw each kind with its own shape and each edge type with its own line style (not colour alone)', () => {
    const style = chartStyle(4);
    const shapeOf = (sel: string) => style.find((s) => s.selector === sel)?.style.shape;
    const shapes = ['node.child', 'node.person_of_concern', 'node.adult', 'node.place', 'node.hidden'].map(shapeOf);
    expect(new Set(shapes).size).toBe(5);
    const lines = ['edge.child_adult', 'edge.co_offending', 'edge.person_place'].map((s) => style.find((x) => x.selector === s)?.style['line-style']);
    expect(lines).toEqual(['solid', 'dashed', 'dotted']);
  });

  it('filter by edge type and by period, keeping the centre and the ends of the links shown', () => {
    expect(filterGraph(graph, { kinds: all }).edges).toHaveLength(3);
    const noPlaces = filterGraph(graph, { kinds: new Set<EdgeKind>(['child_adult', 'co_offending']) });
    expect(noPlaces.nodes.map((n) => n.id)).toEqual(['person-1', 'person-3', 'hidden-1']);
    // 2025 only: the 2024 co-offending link and its stand-in go.
    const in2025 = filterGraph(graph, { kinds: all, from: '2025-01-01', to: '2025-12-31' });
    expect(in2025.edges.map((e) => e.kind)).toEqual(['child_adult', 'person_place']);
    expect(in2025.nodes.map((n) => n.id)).toEqual(['person-1', 'person-3', 'place-1']);
    // A link counts when its first..last contact overlaps the period.
    expect(filterGraph(graph, { kinds: all, from: '2025-09-12', to: '2025-09-12' }).edges.map((e) => e.kind)).toEqual(['child_adult', 'person_place']);
    expect(filterGraph(graph, { kinds: all, from: '2025-12-01' }).edges).toHaveLength(0);
    expect(filterGraph(graph, { kinds: all, from: '2025-12-01' }).nodes.map((n) => n.id)).toEqual(['person-3']);
    // A date that is not a date is no bound.
    expect(filterGraph(graph, { kinds: all, from: '2025-13-45' }).edges).toHaveLength(3);
    expect(dateRange(graph)).toEqual({ from: '2024-06-01', to: '2025-11-30' });
  });

  it('list the links as the table alternative with both ends in words', () => {
    expect(linkRows(graph.nodes, graph.edges)[0]).toEqual({
      from: 'Child: Amy Synthetic (serious)', to: 'Person of concern: Carl Offender (priority 12.5, hub)', kind: 'Child and adult together',
      first: '2025-03-07', last: '2025-09-12', occasions: 2, weight: '2',
    });
  });

  it('link a node to its own page only when it is identified', () => {
    expect(nodeHref(graph.nodes[0])).toBe('/children/1');
    expect(nodeHref(graph.nodes[1])).toBe('/people/3');
    expect(nodeHref(graph.nodes[2])).toBeNull();
    expect(nodeHref(graph.nodes[3])).toBe('/places/1');
  });

  it('lays out 2,000 nodes in one pass: rings by kind above 150 nodes, every node its own position', () => {
    const big = syntheticGraph(2000);
    expect(big.nodes).toHaveLength(2000);
    expect(layoutFor(150).name).toBe('cose');
    expect(layoutFor(151).name).toBe('preset');
    const start = performance.now();
    const els = chartElements(big.nodes, big.edges);
    const shown = filterGraph(big, { kinds: all, from: '2025-03-01', to: '2025-08-31' });
    const ms = performance.now() - start;
    console.log(`network chart, synthetic 2,000 nodes / ${big.edges.length} links: elements with ring positions + a filter ${ms.toFixed(0)} ms (jsdom; Cytoscape's render is measured in the browser tests)`);
    const positions = els.filter((e) => e.group === 'nodes').map((e) => e.position!);
    expect(new Set(positions.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size).toBe(2000);
    // Persons of concern on the inner ring, places on the outer one.
    const r = (id: string) => Math.hypot(positions[Number(id.slice(1))].x, positions[Number(id.slice(1))].y);
    const poc = big.nodes.filter((n) => n.kind === 'person_of_concern').map((n) => r(n.id));
    const places = big.nodes.filter((n) => n.kind === 'place').map((n) => r(n.id));
    expect(Math.max(...poc)).toBeLessThan(Math.min(...places));
    expect(shown.edges.length).toBeGreaterThan(0);
    expect(shown.edges.length).toBeLessThan(big.edges.length);
    expect(ms).toBeLessThan(2000);
  });

  it('Cytoscape takes the elements as they are (headless, small graph)', () => {
    const cy = cytoscape({ headless: true, styleEnabled: true, elements: chartElements(graph.nodes, graph.edges) as cytoscape.ElementDefinition[],
      style: chartStyle(4) as unknown as cytoscape.StylesheetJson });
    expect(cy.nodes().length).toBe(4);
    expect(cy.edges().length).toBe(3);
    expect(cy.getElementById('hidden-1').hasClass('hidden')).toBe(true);
    expect(cy.getElementById('hidden-1').style('shape')).toBe('triangle');
    expect(cy.edges('.co_offending').style('line-style')).toBe('dashed');
    cy.destroy();
  });
});

describe('the network pages', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
    drawn.calls.length = 0;
    drawn.shown.length = 0;
  });

  const view = { network: { id: 1, offenders: 1, children: 1, places: 1, size: 3 }, members: [{ id: 3, name: 'Carl Offender', kind: 'offender' }], places: [] };
  const priorities = {
    network: 1, hidden: 1,
    people: [{ person: 3, name: 'Carl Offender', records_shown: 2, access_basis: ['own_agency'], breakdown_complete: true,
      priority: { score: 12.5, suspected_offender: true, network: 1, role: 'hub', reasons: ['2 children at risk, 1 serious', 'last contact 2025-09-12'] } }],
  };

  it('/networks/{id}: the priority list with its reasons, the chart, its tables and the GraphML download', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/networks/1': { status: 200, body: view },
      'GET /api/networks/1/graph': { status: 200, body: { ...graph, network: 1 } },
      'GET /api/networks/1/priorities': { status: 200, body: priorities },
    });
    await networkPage('1');
    await vi.waitFor(() => expect(drawn.calls).toHaveLength(1));
    const main = document.getElementById('main-content')!;
    const rows = [...main.querySelectorAll('#priorities-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([['1', 'Carl Offender', '12.5', 'Hub', '2 children at risk, 1 seriouslast contact 2025-09-12']]);
    expect(main.querySelector('#priorities-hidden')!.textContent).toMatch(/^1 person of concern in this network is known only/);
    expect(main.querySelectorAll('#network-nodes tbody tr')).toHaveLength(4);
    expect(main.querySelectorAll('#network-links tbody tr')).toHaveLength(3);
    expect(main.querySelector('#network-download')!.getAttribute('href')).toBe('/api/networks/1/export?format=graphml');
    expect(main.querySelector('#network-chart')!.getAttribute('aria-label')).toBe(
      'Network chart: 4 nodes (1 child, 1 person of concern, 1 place, 1 not shown) and 3 links. The table below lists the same links.');
    expect(drawn.calls[0].nodes.map((n) => n.id)).toEqual(['person-1', 'person-3', 'hidden-1', 'place-1']);
    expect(drawn.shown).toEqual([{ nodes: ['person-1', 'person-3', 'hidden-1', 'place-1'], edges: [0, 1, 2] }]);
    // Unticking the places hides the hotel and its link where they are (the chart is not laid out again); the
    // tables follow.
    const box = main.querySelector<HTMLInputElement>('#filter-person_place')!;
    box.checked = false;
    box.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(drawn.shown).toHaveLength(2));
    expect(drawn.calls).toHaveLength(1);
    expect(drawn.shown[1]).toEqual({ nodes: ['person-1', 'person-3', 'hidden-1'], edges: [0, 1] });
    expect(main.querySelector('#network-chart')!.getAttribute('data-nodes')).toBe('3');
    expect(main.querySelectorAll('#network-links tbody tr')).toHaveLength(2);
    expect(main.querySelector('#network-status')!.textContent).toBe('Showing 3 of 4 people and places, 2 of 3 links.');
    expect(seen.map((r) => r.path)).toContain('/api/networks/1/priorities');
  });

  it('/networks/{id} for an IG lead: the counts only, no graph or priorities asked for', async () => {
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: { ...session, role: 'ig_lead' } },
      'GET /api/networks/1': { status: 200, body: { ...view, members: null, places: null } },
    });
    await networkPage('1');
    await settle();
    expect(document.getElementById('network-counts-only')).not.toBeNull();
    expect(seen.map((r) => r.path)).toEqual(['/api/networks/1', '/api/session']);
    expect(drawn.calls).toHaveLength(0);
  });

  it('/people/{id}: the ego network at the hops asked for, with its download', async () => {
    expect(hopsFrom('?hops=2')).toBe(2);
    for (const bad of ['', '?hops=0', '?hops=4', '?hops=x', '?hops=22']) expect(hopsFrom(bad)).toBe(1);
    window.history.replaceState(null, '', '/people/3?hops=2');
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/people/3/network?hops=2': { status: 200, body: { ...graph, person: 3, hops: 2 } },
      'GET /api/people/3/notes': { status: 200, body: { notes: [] } },
    });
    await personPage('3');
    await vi.waitFor(() => expect(drawn.calls).toHaveLength(1));
    expect(document.querySelector('h1')!.textContent).toBe('Carl Offender: network');
    expect(document.querySelector<HTMLSelectElement>('#hops')!.value).toBe('2');
    expect(document.querySelector('#network-download')!.getAttribute('href')).toBe('/api/people/3/network/export?hops=2&format=graphml');
    expect(seen.some((r) => r.path === '/api/people/3/network?hops=2')).toBe(true);
    // An adult's case notes under the chart (the practitioner may add one).
    expect(seen.some((r) => r.path === '/api/people/3/notes')).toBe(true);
    await settle();
    expect(document.querySelector('#notes')!.textContent).toContain('No case notes you may see.');
    expect(document.querySelector('#note-form')).not.toBeNull();
  });

  it("/people/{id} of a child: the notes stay on the child's chronology, not here", async () => {
    window.history.replaceState(null, '', '/people/1');
    const child = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, centre: n.id === 'person-1' })), person: 1, hops: 1 };
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/people/1/network?hops=1': { status: 200, body: child },
    });
    await personPage('1');
    await settle();
    expect(document.querySelector('h1')!.textContent).toBe('Amy Synthetic: network');
    expect(document.querySelector('#notes')).toBeNull();
    expect(seen.some((r) => r.path.endsWith('/notes'))).toBe(false);
  });

  it('/people/{id} outside the rights: the same words as a missing person', async () => {
    window.history.replaceState(null, '', '/people/9');
    fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/people/9/network?hops=1': { status: 404, body: { error: { status: 404, code: 'not_found', message: 'no such person' } } },
    });
    await personPage('9');
    expect(document.querySelector('h1')!.textContent).toBe('There is no person you can see with this number');
  });
});
