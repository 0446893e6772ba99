// The network chart (Cytoscape.js, loaded only by the network pages): draws what network_graph.ts builds on a
// canvas. CSP: Cytoscape positions its canvases through element.style properties (CSSOM, which the CSP allows)
// but, once per document, would add a <style> element for its container class, which `style-src 'self'`
// blocks. An element with the id it looks for is put in the head first, so it never does; the one rule it
// wanted (position: relative) is in styles.scss.
import cytoscape from 'cytoscape';
import { chartElements, chartStyle, layoutFor, type GraphEdge, type GraphNode } from './network_graph';

const CYTOSCAPE_STYLESHEET_ID = '__________cytoscape_stylesheet';

export function preventInlineStylesheet(doc: Document = document): void {
  if (doc.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const marker = doc.createElement('meta');
  marker.id = CYTOSCAPE_STYLESHEET_ID;
  marker.setAttribute('name', 'rr-cytoscape-style');
  marker.setAttribute('content', 'in styles.scss');
  doc.head.appendChild(marker);
}

export interface DrawnChart {
  destroy(): void;
  // Shows only these nodes and edges (indexes into the edges drawn), hiding the rest where they are: a change
  // of filter keeps every position (no new layout), so the reader's picture of the network stays put, and with
  // 2,000 nodes it is one batch of class changes instead of a new chart.
  show(nodes: Set<string>, edges: Set<number>): void;
  layoutMs: number; // layout and first render, measured here
  nodes: number;
}

// Draws the graph into `container` (sized by the stylesheet). `onSelect` is told the id of a tapped node.
export function drawNetworkChart(
  container: HTMLElement,
  nodes: GraphNode[],
  edges: GraphEdge[],
  onSelect: (id: string) => void = () => undefined,
): DrawnChart {
  preventInlineStylesheet(container.ownerDocument);
  const start = performance.now();
  const cy = cytoscape({
    container,
    elements: chartElements(nodes, edges) as cytoscape.ElementDefinition[],
    style: chartStyle(nodes.length) as unknown as cytoscape.StylesheetJson,
    layout: layoutFor(nodes.length) as cytoscape.LayoutOptions,
    minZoom: 0.05,
    maxZoom: 4,
    wheelSensitivity: 0.3,
    textureOnViewport: nodes.length > 300,
    hideEdgesOnViewport: nodes.length > 1000,
    pixelRatio: 1,
  });
  cy.on('tap', 'node', (evt) => onSelect(String(evt.target.id())));
  const layoutMs = performance.now() - start;
  const show = (shownNodes: Set<string>, shownEdges: Set<number>) => {
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        if (shownNodes.has(n.id())) n.removeClass('filtered');
        else n.addClass('filtered');
      });
      cy.edges().forEach((e) => {
        if (shownEdges.has(Number(e.id().slice(1)))) e.removeClass('filtered');
        else e.addClass('filtered');
      });
    });
  };
  return { destroy: () => cy.destroy(), show, layoutMs, nodes: nodes.length };
}
