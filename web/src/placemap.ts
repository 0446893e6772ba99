// The places map's pure parts (no Leaflet, no DOM): how big each marker is, in which order markers are drawn,
// which places share a point, the extent of the district boundaries, and the place profile's figures. The map
// itself (placemap_view.ts) only draws what these return; the unit tests hold them to their figures.

// A place's position as the API gives it: its postcode sector's centroid, never its own address point.
export interface Location {
  lat: number;
  lon: number;
}

export interface MappablePlace {
  id: number;
  score: number;
  location?: Location | null;
}

// Marker radii in pixels: every marker big enough to see and hit, the highest score no bigger than this.
export const MIN_RADIUS = 5;
export const MAX_RADIUS = 18;

// A marker's radius for a score, scaled so its AREA grows with the score (a radius growing with the score makes
// a score twice as high look four times as big): MAX_RADIUS at the highest score on the map, never under
// MIN_RADIUS. Scores above `maxScore` count as `maxScore`; no positive maximum gives MIN_RADIUS.
export function markerRadius(score: number, maxScore: number): number {
  if (!(maxScore > 0) || !(score > 0)) return MIN_RADIUS;
  const share = Math.min(score, maxScore) / maxScore;
  return Math.max(MIN_RADIUS, MAX_RADIUS * Math.sqrt(share));
}

export interface PlacedMarker<P extends MappablePlace> {
  place: P;
  location: Location;
  radius: number;
  // The other places at exactly the same point (the same postcode sector), highest score first: one marker
  // would hide the others, so each marker's popup names them.
  sharing: P[];
}

const pointKey = (l: Location) => `${l.lat.toFixed(5)},${l.lon.toFixed(5)}`;

// The markers for the places that have a location, lowest score first so the highest scores are drawn last (on
// top); ties by id so the order is stable. Places without a location are left out (the table lists them).
export function placeMarkers<P extends MappablePlace>(places: P[]): PlacedMarker<P>[] {
  const located = places.filter((p): p is P & { location: Location } => isLocation(p.location));
  const maxScore = located.reduce((m, p) => Math.max(m, p.score), 0);
  const byPoint = new Map<string, P[]>();
  for (const p of located) {
    const key = pointKey(p.location);
    byPoint.set(key, [...(byPoint.get(key) ?? []), p]);
  }
  return located
    .slice()
    .sort((a, b) => a.score - b.score || a.id - b.id)
    .map((p) => ({
      place: p,
      location: p.location,
      radius: markerRadius(p.score, maxScore),
      sharing: (byPoint.get(pointKey(p.location)) ?? [])
        .filter((q) => q.id !== p.id)
        .sort((a, b) => b.score - a.score || a.id - b.id),
    }));
}

export function isLocation(l: Location | null | undefined): l is Location {
  return !!l && Number.isFinite(l.lat) && Number.isFinite(l.lon) && Math.abs(l.lat) <= 90 && Math.abs(l.lon) <= 180;
}

// ---- the district boundaries (GeoJSON, RFC 7946: [longitude, latitude] positions)

export type Position = number[];
export interface Geometry {
  type: string;
  coordinates: unknown;
}
export interface Feature {
  type: 'Feature';
  properties: Record<string, unknown> | null;
  geometry: Geometry | null;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}

// South-west and north-east corners as [lat, lon] (Leaflet's order).
export type Bounds = [[number, number], [number, number]];

function eachPosition(coordinates: unknown, fn: (p: Position) => void): void {
  if (!Array.isArray(coordinates)) return;
  if (coordinates.length >= 2 && typeof coordinates[0] === 'number' && typeof coordinates[1] === 'number') {
    fn(coordinates as Position);
    return;
  }
  for (const c of coordinates) eachPosition(c, fn);
}

// The smallest box holding every position of every feature, or null when there is none.
export function boundsOf(collection: FeatureCollection): Bounds | null {
  let south = Infinity;
  let west = Infinity;
  let north = -Infinity;
  let east = -Infinity;
  for (const f of collection.features) {
    if (!f.geometry) continue;
    eachPosition(f.geometry.coordinates, ([lon, lat]) => {
      south = Math.min(south, lat);
      north = Math.max(north, lat);
      west = Math.min(west, lon);
      east = Math.max(east, lon);
    });
  }
  return south === Infinity ? null : [[south, west], [north, east]];
}

export function contains(b: Bounds, l: Location): boolean {
  return l.lat >= b[0][0] && l.lat <= b[1][0] && l.lon >= b[0][1] && l.lon <= b[1][1];
}

// The names of the features (the seven districts), in file order.
export function featureNames(collection: FeatureCollection): string[] {
  return collection.features.map((f) => String(f.properties?.name ?? ''));
}

// ---- the place profile (GET /api/places/{id} profile): the figures behind its charts and their tables

export interface PlaceProfile {
  by_weekday: number[]; // Monday first
  by_hour: number[]; // 0..23
  occasions: number;
  timed: number;
  last_quarter: number;
  previous_quarter: number;
  trend: 'steady' | 'emerging' | 'declining';
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// "00:00 to 00:59" ... "23:00 to 23:59".
export function hourLabel(hour: number): string {
  const h = String(hour).padStart(2, '0');
  return `${h}:00 to ${h}:59`;
}

export function weekdayRows(profile: PlaceProfile): [string, number][] {
  return WEEKDAYS.map((day, i) => [day, profile.by_weekday[i] ?? 0]);
}

export function hourRows(profile: PlaceProfile): [string, number][] {
  return Array.from({ length: 24 }, (_, h) => [hourLabel(h), profile.by_hour[h] ?? 0]);
}

const TREND_WORDS: Record<PlaceProfile['trend'], string> = {
  emerging: 'Emerging: more occasions in the last 91 days than in the 91 before',
  declining: 'Declining: fewer occasions in the last 91 days than in the 91 before',
  steady: 'Steady: about as many occasions in the last 91 days as in the 91 before',
};

export function trendWords(trend: PlaceProfile['trend']): string {
  return TREND_WORDS[trend] ?? trend;
}

// The busiest weekday and hour in words ("Friday", "21:00 to 21:59"), or null when nothing is recorded; ties
// name the first.
export function busiest(profile: PlaceProfile): { weekday: string | null; hour: string | null } {
  const top = (values: number[]) => values.reduce((best, v, i) => (v > (values[best] ?? 0) ? i : best), 0);
  const w = top(profile.by_weekday);
  const h = top(profile.by_hour);
  return {
    weekday: (profile.by_weekday[w] ?? 0) > 0 ? WEEKDAYS[w] : null,
    hour: (profile.by_hour[h] ?? 0) > 0 ? hourLabel(h) : null,
  };
}
