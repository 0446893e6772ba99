// The network chart's pure parts (no Cytoscape, no DOM): the API's graph (GET /api/networks/{id}/graph,
// GET /api/people/{id}/network) turned into chart elements, the filters by time and edge type, the words and
// shapes for each kind of node and edge, the stylesheet and the layout for a graph's size. The chart itself
// (network_chart.ts) only draws what these return. Identities are as the API masked them: a stand-in stays
// "(not shown)" here; nothing is looked up or unmasked in the browser.
import type { Level } from './types';

export type NodeKind = 'child' | 'person_of_concern' | 'adult' | 'place' | 'hidden';
export type EdgeKind = 'child_adult' | 'co_offending' | 'person_place';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  identified: boolean;
  centre?: boolean;
  level?: Level;
  priority?: number;
  network?: number | null;
  role?: 'hub' | 'member' | 'lone';
  place_type?: string;
  district?: string;
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: EdgeKind;
  weight: number;
  occasions: number;
  first: string; // YYYY-MM-DD
  last: string;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

export const EDGE_KINDS: EdgeKind[] = ['child_adult', 'co_offending', 'person_place'];
export const NODE_KINDS: NodeKind[] = ['child', 'person_of_concern', 'adult', 'place', 'hidden'];

// Each kind's name, the shape it is drawn with and the word in its chart label: a kind is told apart by shape
// and by words, never by colour alone (WCAG 1.4.1).
export const NODE_STYLE: Record<NodeKind, { name: string; shape: string; shapeName: string; colour: string }> = {
  child: { name: 'Child', shape: 'ellipse', shapeName: 'circle', colour: '#1d70b8' },
  person_of_concern: { name: 'Person of concern', shape: 'diamond', shapeName: 'diamond', colour: '#d4351c' },
  adult: { name: 'Other adult', shape: 'round-rectangle', shapeName: 'rounded square', colour: '#505a5f' },
  place: { name: 'Place', shape: 'hexagon', shapeName: 'hexagon', colour: '#00703c' },
  hidden: { name: 'Not shown', shape: 'triangle', shapeName: 'triangle', colour: '#b1b4b6' },
};

// Edge types by line style (solid, dashed, dotted) and name.
export const EDGE_STYLE: Record<EdgeKind, { name: string; line: 'solid' | 'dashed' | 'dotted'; colour: string }> = {
  child_adult: { name: 'Child and adult together', line: 'solid', colour: '#0b0c0c' },
  co_offending: { name: 'Adults offending together', line: 'dashed', colour: '#d4351c' },
  person_place: { name: 'Seen at a place', line: 'dotted', colour: '#00703c' },
};

const LEVEL_WORDS: Record<Level, string> = { serious: 'serious', significant: 'significant', at_risk: 'at risk', none: 'no level' };

// A node's label on the chart and in the table: its kind in words, its name as the API gave it, and what the
// API gives about it (level, priority, place type).
export function nodeLabel(n: GraphNode): string {
  const kind = NODE_STYLE[n.kind]?.name ?? n.kind;
  if (n.kind === 'hidden') return `${kind}: a person outside your rights`;
  const details: string[] = [];
  if (n.level) details.push(LEVEL_WORDS[n.level] ?? n.level);
  if (n.priority !== undefined) details.push(`priority ${formatNumber(n.priority)}`);
  if (n.role && n.role !== 'lone') details.push(n.role);
  if (n.kind === 'place' && n.place_type) details.push(n.place_type.replace(/_/g, ' '));
  const name = n.label || '(no name)';
  return details.length ? `${kind}: ${name} (${details.join(', ')})` : `${kind}: ${name}`;
}

export function formatNumber(x: number): string {
  return x.toLocaleString('en-GB', { maximumFractionDigits: 1 });
}

// The filters: edge types shown, and a period an edge must overlap (its first..last contact) to be shown.
export interface GraphFilter {
  kinds: ReadonlySet<EdgeKind>;
  from?: string; // YYYY-MM-DD, inclusive; empty: no lower bound
  to?: string;
}

export const ALL_EDGES: GraphFilter = { kinds: new Set(EDGE_KINDS) };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export function isIsoDate(s: string | undefined): boolean {
  return !!s && ISO_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

export function edgeShown(e: GraphEdge, f: GraphFilter): boolean {
  if (!f.kinds.has(e.kind)) return false;
  if (isIsoDate(f.from) && e.last < (f.from as string)) return false;
  if (isIsoDate(f.to) && e.first > (f.to as string)) return false;
  return true;
}

// What the filters leave: the edges shown and the nodes at either end of one (the centre of an ego network is
// always kept, so the person asked about never vanishes).
export function filterGraph(g: Graph, f: GraphFilter): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const edges = g.edges.filter((e) => edgeShown(e, f));
  const ends = new Set<string>();
  for (const e of edges) {
    ends.add(e.source);
    ends.add(e.target);
  }
  const nodes = g.nodes.filter((n) => n.centre || ends.has(n.id) || g.edges.length === 0);
  return { nodes, edges };
}

// The earliest first and latest last contact over the edges: the default period of the filters.
export function dateRange(g: Graph): { from: string; to: string } | null {
  if (g.edges.length === 0) return null;
  let from = g.edges[0].first;
  let to = g.edges[0].last;
  for (const e of g.edges) {
    if (e.first < from) from = e.first;
    if (e.last > to) to = e.last;
  }
  return { from, to };
}

// Cytoscape's element definitions (plain objects: the chart module passes them to cytoscape()).
export interface ChartElement {
  group: 'nodes' | 'edges';
  data: Record<string, string | number | boolean>;
  classes?: string;
  position?: { x: number; y: number };
}

export function chartElements(nodes: GraphNode[], edges: GraphEdge[]): ChartElement[] {
  const positions = nodes.length > LARGE_GRAPH ? ringPositions(nodes, edges) : null;
  const out: ChartElement[] = nodes.map((n) => ({
    group: 'nodes',
    data: { id: n.id, label: nodeLabel(n), short: shortLabel(n), kind: n.kind },
    classes: [n.kind, n.centre ? 'centre' : ''].filter(Boolean).join(' '),
    ...(positions ? { position: positions.get(n.id) } : {}),
  }));
  edges.forEach((e, i) =>
    out.push({
      group: 'edges',
      data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind, weight: e.weight },
      classes: e.kind,
    }),
  );
  return out;
}

// The label drawn beside a node: the kind's word and the name, short enough to read on a chart.
export function shortLabel(n: GraphNode): string {
  const word = NODE_STYLE[n.kind]?.name ?? n.kind;
  if (n.kind === 'hidden') return word;
  const name = n.label.length > 24 ? `${n.label.slice(0, 23)}…` : n.label;
  return `${word}: ${name}`;
}

// Up to this many nodes the chart uses Cytoscape's force-directed layout (cose); above it, rings computed here
// in one pass (ringPositions): a force-directed layout of thousands of nodes takes seconds, and labels are
// then drawn only when zoomed in (min-zoomed-font-size).
export const LARGE_GRAPH = 150;

export type Layout = { name: 'cose' | 'preset'; animate: false } & Record<string, unknown>;

export function layoutFor(nodeCount: number): Layout {
  if (nodeCount <= LARGE_GRAPH) {
    return {
      name: 'cose', animate: false, randomize: false, padding: 30, nodeOverlap: 20, nodeRepulsion: () => 400_000,
      idealEdgeLength: () => 110, edgeElasticity: () => 100, gravity: 0.25, numIter: 600,
    };
  }
  return { name: 'preset', animate: false, fit: true, padding: 20 };
}

// Rings by kind, inside out: persons of concern, children, other adults, stand-ins, places. Each ring is as
// wide as its nodes need (SPACING apart, at least RING_GAP outside the one before), and its nodes are ordered by
// the angle of the neighbour they have on an inner ring, so that links run mostly outwards instead of across.
// Pure and O(n log n): every node gets its own position.
const RING_ORDER: NodeKind[] = ['person_of_concern', 'child', 'adult', 'hidden', 'place'];
const SPACING = 14;
const RING_GAP = 60;

export function ringPositions(nodes: GraphNode[], edges: GraphEdge[]): Map<string, { x: number; y: number }> {
  const neighbours = new Map<string, string[]>();
  for (const e of edges) {
    (neighbours.get(e.source) ?? neighbours.set(e.source, []).get(e.source)!).push(e.target);
    (neighbours.get(e.target) ?? neighbours.set(e.target, []).get(e.target)!).push(e.source);
  }
  const angle = new Map<string, number>();
  const out = new Map<string, { x: number; y: number }>();
  let radius = 0;
  for (const kind of RING_ORDER) {
    const ring = nodes.filter((n) => n.kind === kind);
    if (ring.length === 0) continue;
    const key = (n: GraphNode) => {
      for (const m of neighbours.get(n.id) ?? []) {
        const a = angle.get(m);
        if (a !== undefined) return a;
      }
      return Number.POSITIVE_INFINITY;
    };
    const keyed = ring.map((n, i) => ({ n, k: key(n), i })).sort((a, b) => a.k - b.k || a.i - b.i);
    const needed = (ring.length * SPACING) / (2 * Math.PI);
    radius = ring.length === 1 && radius === 0 ? 0 : Math.max(radius + RING_GAP, needed);
    keyed.forEach(({ n }, i) => {
      const a = (2 * Math.PI * i) / ring.length;
      angle.set(n.id, a);
      out.set(n.id, { x: Math.round(radius * Math.cos(a) * 100) / 100, y: Math.round(radius * Math.sin(a) * 100) / 100 });
    });
  }
  // Kinds outside RING_ORDER (none today) on one more ring.
  const rest = nodes.filter((n) => !out.has(n.id));
  radius = Math.max(radius + RING_GAP, (rest.length * SPACING) / (2 * Math.PI));
  rest.forEach((n, i) => {
    const a = (2 * Math.PI * i) / rest.length;
    out.set(n.id, { x: radius * Math.cos(a), y: radius * Math.sin(a) });
  });
  return out;
}

// The stylesheet: shape, colour and border per node kind, line style per edge kind; the centre's thick border.
export function chartStyle(nodeCount: number): { selector: string; style: Record<string, string | number> }[] {
  const large = nodeCount > LARGE_GRAPH;
  const style: { selector: string; style: Record<string, string | number> }[] = [
    {
      selector: 'node',
      style: {
        label: 'data(short)',
        'font-family': 'arial, sans-serif',
        'font-size': 11,
        color: '#0b0c0c',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-wrap': 'none',
        width: large ? 10 : 22,
        height: large ? 10 : 22,
        'border-width': 1,
        'border-color': '#0b0c0c',
        'min-zoomed-font-size': large ? 10 : 0,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.85,
        'text-background-padding': 1,
      },
    },
    {
      selector: 'edge',
      style: {
        width: large ? 0.6 : 1.5,
        'curve-style': large ? 'haystack' : 'straight',
        opacity: 0.8,
      },
    },
    { selector: 'node.centre', style: { 'border-width': 4, width: large ? 18 : 30, height: large ? 18 : 30 } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffdd00' } },
  ];
  const last = [{ selector: '.filtered', style: { display: 'none' } }];
  for (const kind of NODE_KINDS) {
    style.push({ selector: `node.${kind}`, style: { shape: NODE_STYLE[kind].shape, 'background-color': NODE_STYLE[kind].colour } });
  }
  for (const kind of EDGE_KINDS) {
    style.push({ selector: `edge.${kind}`, style: { 'line-style': EDGE_STYLE[kind].line, 'line-color': EDGE_STYLE[kind].colour } });
  }
  return [...style, ...last]; // hidden by a filter: last, so nothing above shows it again
}

// The chart's text summary (its accessible name): what is drawn, in numbers.
export function chartSummary(nodes: GraphNode[], edges: GraphEdge[]): string {
  const count = (k: NodeKind) => nodes.filter((n) => n.kind === k).length;
  const parts = NODE_KINDS.filter((k) => count(k) > 0).map((k) => `${count(k)} ${NODE_STYLE[k].name.toLowerCase()}`);
  return `Network chart: ${nodes.length} nodes (${parts.join(', ') || 'none'}) and ${edges.length} links. The table below lists the same links.`;
}

// The table alternative: one row per link shown, the two ends in words, its type, dates and weight.
export interface LinkRow {
  from: string;
  to: string;
  kind: string;
  first: string;
  last: string;
  occasions: number;
  weight: string;
}

export function linkRows(nodes: GraphNode[], edges: GraphEdge[]): LinkRow[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const name = (id: string) => {
    const n = byId.get(id);
    return n ? nodeLabel(n) : id;
  };
  return edges.map((e) => ({
    from: name(e.source),
    to: name(e.target),
    kind: EDGE_STYLE[e.kind]?.name ?? e.kind,
    first: e.first,
    last: e.last,
    occasions: e.occasions,
    weight: formatNumber(e.weight),
  }));
}

// A synthetic graph of `n` nodes for the size measurement (tests): a ring of persons of concern, each with
// children and places around it; fictional labels only.
export function syntheticGraph(n: number): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const hubs = Math.max(1, Math.round(n / 20));
  for (let i = 0; i < n; i++) {
    const kind: NodeKind = i < hubs ? 'person_of_concern' : i % 5 === 0 ? 'place' : i % 7 === 0 ? 'hidden' : 'child';
    nodes.push({ id: `n${i}`, kind, label: kind === 'hidden' ? '(not shown)' : `Synthetic ${kind} ${i}`, identified: kind !== 'hidden' });
    if (i >= hubs) {
      const hub = i % hubs;
      const edgeKind: EdgeKind = kind === 'place' ? 'person_place' : 'child_adult';
      const month = String((i % 12) + 1).padStart(2, '0');
      edges.push({ source: `n${hub}`, target: `n${i}`, kind: edgeKind, weight: 1 + (i % 3), occasions: 1 + (i % 4), first: `2025-${month}-01`, last: `2025-${month}-20` });
    } else if (i > 0) {
      edges.push({ source: `n${i - 1}`, target: `n${i}`, kind: 'co_offending', weight: 2, occasions: 2, first: '2025-01-05', last: '2025-11-30' });
    }
  }
  return { nodes, edges, truncated: false };
}
