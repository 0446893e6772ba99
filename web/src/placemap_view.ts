// The offline places map (Leaflet, loaded only by /places): no tile server, nothing fetched. The base layer is
// the seven district boundaries, bundled at build time from data/reference/geo (public ONS geography, nothing
// about a person); the places are circle markers at their postcode sector's centroid, sized by score, highest
// drawn on top, each with a popup saying what it is and linking to its page. Leaflet positions its panes and
// popups through element.style properties (CSSOM, which the CSP allows), never style attributes; the markers
// are SVG paths (no marker images), popups are built as elements (no HTML strings).
import * as L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import boundariesText from '../../data/reference/geo/wm_lad_boundaries.geojson?raw';
import { el } from './dom';
import { humanise } from './format';
import { boundsOf, featureNames, placeMarkers, type FeatureCollection, type PlacedMarker } from './placemap';
import type { Place } from './pages/places';

export const BOUNDARIES = JSON.parse(boundariesText) as FeatureCollection;
export const DISTRICTS = featureNames(BOUNDARIES);

const score = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 1 });

// A popup: the place's type, district and score, the link to its page, and the places at the same point.
export function popupContent(m: PlacedMarker<Place>, title: (p: Place) => string): HTMLElement {
  const p = m.place;
  return el('div', { class: 'rr-map-popup' },
    el('p', { class: 'govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1' }, title(p)),
    el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `${humanise(p.type)}, ${p.district || 'district not known'}. Score ${score(p.score)}.`),
    el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, el('a', { class: 'govuk-link', href: `/places/${p.id}` }, 'Open this place')),
    m.sharing.length > 0 &&
      el('div', {},
        el('p', { class: 'govuk-body-s govuk-!-margin-bottom-1' }, `Also in this postcode sector (${m.sharing.length}):`),
        el('ul', { class: 'govuk-list govuk-body-s govuk-!-margin-bottom-0' },
          m.sharing.map((q) => el('li', {}, el('a', { class: 'govuk-link', href: `/places/${q.id}` }, `${title(q)}, score ${score(q.score)}`))))),
  );
}

// Draws the map into `container` (which has its size from the stylesheet). Returns the Leaflet map.
export function drawPlacesMap(container: HTMLElement, places: Place[], title: (p: Place) => string): L.Map {
  const bounds = boundsOf(BOUNDARIES);
  const map = L.map(container, {
    renderer: L.svg({ padding: 0.5 }),
    zoomSnap: 0.25,
    scrollWheelZoom: false, // the page scrolls; zoom with the buttons or the keyboard (+ and -)
    attributionControl: false,
    fadeAnimation: false, // popups appear at once, not fading in
  });
  L.control
    .attribution({ prefix: false })
    .addAttribution('District boundaries: Office for National Statistics, Contains OS data © Crown copyright and database right')
    .addTo(map);
  L.geoJSON(BOUNDARIES as unknown as GeoJSON.FeatureCollection, {
    interactive: false,
    style: () => ({ className: 'rr-map-district', color: '#505a5f', weight: 1.5, fillColor: '#f3f2f1', fillOpacity: 1 }),
    onEachFeature: (feature, layer) => {
      const name = String(feature.properties?.name ?? '');
      layer.bindTooltip(el('span', {}, name), { permanent: true, direction: 'center', className: 'rr-map-label', interactive: false });
    },
  }).addTo(map);
  if (bounds) {
    map.fitBounds(bounds, { padding: [8, 8] });
    map.setMaxBounds(L.latLngBounds(bounds).pad(0.5));
    map.setMinZoom(map.getZoom() - 1);
  }
  for (const m of placeMarkers(places)) {
    L.circleMarker([m.location.lat, m.location.lon], {
      radius: m.radius,
      className: 'rr-map-place',
      color: '#0b0c0c',
      weight: 1,
      fillColor: '#d4351c',
      fillOpacity: 0.75,
    })
      .bindPopup(popupContent(m, title), { maxWidth: 320 })
      .addTo(map);
  }
  return map;
}
