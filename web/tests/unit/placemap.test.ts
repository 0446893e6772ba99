import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  boundsOf, busiest, contains, featureNames, hourLabel, hourRows, isLocation, markerRadius, MAX_RADIUS, MIN_RADIUS,
  placeMarkers, trendWords, weekdayRows, type FeatureCollection, type PlaceProfile,
} from '../../src/placemap';

// The reference geography the build bundles (data/reference/geo).
const geo = (file: string) => resolve(__dirname, '../../../data/reference/geo', file);
const boundaries = JSON.parse(readFileSync(geo('wm_lad_boundaries.geojson'), 'utf8')) as FeatureCollection;

// A sector centroid from the reference file, read here as the server would have it.
function sector(name: string): { lat: number; lon: number } {
  const csv = readFileSync(geo('wm_postcode_sectors.csv'), 'utf8');
  const row = csv.split('\n').find((l) => l.startsWith(`${name},`));
  if (!row) throw new Error(`no sector ${name}`);
  const f = row.split(',');
  return { lat: Number(f[2]), lon: Number(f[3]) };
}

describe('marker sizing', () => {
  it('grows the area, not the radius, with the score, from MIN_RADIUS to MAX_RADIUS', () => {
    expect(markerRadius(10, 10)).toBe(MAX_RADIUS);
    // A quarter of the top score: half the radius (a quarter of the area).
    expect(markerRadius(2.5, 10)).toBeCloseTo(MAX_RADIUS / 2, 10);
    expect(markerRadius(0.01, 10)).toBe(MIN_RADIUS);
    expect(markerRadius(0, 10)).toBe(MIN_RADIUS);
    expect(markerRadius(-3, 10)).toBe(MIN_RADIUS);
    expect(markerRadius(25, 10)).toBe(MAX_RADIUS); // above the maximum: clamped
    expect(markerRadius(5, 0)).toBe(MIN_RADIUS);
    expect(markerRadius(Number.NaN, 10)).toBe(MIN_RADIUS);
    const radii = [1, 2, 4, 6, 8, 10].map((s) => markerRadius(s, 10));
    expect(radii).toEqual([...radii].sort((a, b) => a - b));
  });

  it('draws the highest score last, leaves out places without a location, and names the places at one point', () => {
    const at = { lat: 52.47607, lon: -1.90357 };
    const places = [
      { id: 1, score: 4, location: at },
      { id: 2, score: 9, location: { lat: 52.4581, lon: -1.88865 } },
      { id: 3, score: 6, location: null },
      { id: 4, score: 7, location: { ...at } },
      { id: 5, score: 4, location: { lat: Number.NaN, lon: 1 } },
    ];
    const markers = placeMarkers(places);
    expect(markers.map((m) => m.place.id)).toEqual([1, 4, 2]);
    expect(markers.map((m) => m.radius)).toEqual([markerRadius(4, 9), markerRadius(7, 9), MAX_RADIUS]);
    expect(markers[0].sharing.map((p) => p.id)).toEqual([4]);
    expect(markers[1].sharing.map((p) => p.id)).toEqual([1]);
    expect(markers[2].sharing).toEqual([]);
    expect(placeMarkers([])).toEqual([]);
  });

  it('accepts only finite coordinates on the globe', () => {
    expect(isLocation({ lat: 52.5, lon: -1.9 })).toBe(true);
    expect(isLocation(null)).toBe(false);
    expect(isLocation({ lat: 95, lon: 0 })).toBe(false);
    expect(isLocation({ lat: 0, lon: Number.POSITIVE_INFINITY })).toBe(false);
  });
});

describe('projection bounds', () => {
  it('is the box around every position of polygons and multipolygons', () => {
    const fc: FeatureCollection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'A' }, geometry: { type: 'Polygon', coordinates: [[[-2, 52], [-1, 52], [-1, 53], [-2, 52]]] } },
        { type: 'Feature', properties: { name: 'B' }, geometry: { type: 'MultiPolygon', coordinates: [[[[-3, 51.5], [-2.5, 51.5], [-2.5, 52], [-3, 51.5]]]] } },
        { type: 'Feature', properties: null, geometry: null },
      ],
    };
    expect(boundsOf(fc)).toEqual([[51.5, -3], [53, -1]]);
    expect(featureNames(fc)).toEqual(['A', 'B', '']);
    expect(boundsOf({ type: 'FeatureCollection', features: [] })).toBeNull();
  });

  it('frames the seven West Midlands districts and the sector centroids inside them', () => {
    expect(featureNames(boundaries).sort()).toEqual(['Birmingham', 'Coventry', 'Dudley', 'Sandwell', 'Solihull', 'Walsall', 'Wolverhampton']);
    const b = boundsOf(boundaries)!;
    // Wolverhampton's west edge to Coventry's east, Solihull's south to Walsall's north.
    expect(b[0][0]).toBeGreaterThan(52.3);
    expect(b[0][0]).toBeLessThan(52.4);
    expect(b[1][0]).toBeGreaterThan(52.65);
    expect(b[1][0]).toBeLessThan(52.7);
    expect(b[0][1]).toBeGreaterThan(-2.25);
    expect(b[0][1]).toBeLessThan(-2.15);
    expect(b[1][1]).toBeGreaterThan(-1.45);
    expect(b[1][1]).toBeLessThan(-1.4);
    for (const s of ['B1 1', 'CV1 2', 'WV1 1', 'WS1 1', 'DY1 1', 'B91 3']) expect(contains(b, sector(s)), s).toBe(true);
    expect(contains(b, { lat: 51.5074, lon: -0.1278 })).toBe(false); // London
  });
});

describe('the place profile', () => {
  const profile: PlaceProfile = {
    by_weekday: [0, 1, 0, 0, 3, 2, 0],
    by_hour: Array.from({ length: 24 }, (_, h) => (h === 21 ? 2 : h === 16 ? 1 : 0)),
    occasions: 6,
    timed: 3,
    last_quarter: 4,
    previous_quarter: 1,
    trend: 'emerging',
  };

  it('gives a row per weekday (Monday first) and per hour', () => {
    expect(weekdayRows(profile)).toEqual([['Monday', 0], ['Tuesday', 1], ['Wednesday', 0], ['Thursday', 0], ['Friday', 3], ['Saturday', 2], ['Sunday', 0]]);
    const hours = hourRows(profile);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual(['00:00 to 00:59', 0]);
    expect(hours[21]).toEqual(['21:00 to 21:59', 2]);
    expect(hourLabel(9)).toBe('09:00 to 09:59');
  });

  it('names the busiest day and hour, and nothing when nothing is recorded', () => {
    expect(busiest(profile)).toEqual({ weekday: 'Friday', hour: '21:00 to 21:59' });
    const empty = { ...profile, by_weekday: [0, 0, 0, 0, 0, 0, 0], by_hour: new Array(24).fill(0) };
    expect(busiest(empty)).toEqual({ weekday: null, hour: null });
    expect(trendWords('emerging')).toMatch(/^Emerging: more occasions/);
    expect(trendWords('declining')).toMatch(/^Declining: fewer/);
  });
});
