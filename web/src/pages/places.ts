// /places and /places/{id}: the places of concern of the latest network run (GET /api/places), highest score
// first, on an offline map (placemap_view.ts, loaded only here) and in a table with the same places (the map is
// never the only way to them: keyboard and screen-reader users use the table); a place's time profile as charts
// with their tables, and its people for roles that may see identities.
import { ApiError, get } from '../api';
import { drawChart } from '../chart';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, problemPage, render, requireSession, setTitle, showNavigation } from '../layout';
import { busiest, hourRows, isLocation, trendWords, weekdayRows, WEEKDAYS, type Location, type PlaceProfile } from '../placemap';
import { caseNotes, READS_NOTES } from '../practice_ui';

export interface Place {
  id: number;
  type: string;
  district: string;
  name: string | null;
  postcode: string | null;
  // The postcode sector's centroid (every role), never the place's own address point; null when unknown.
  location: Location | null;
  score: number;
  children_at_risk: number;
  persons_of_concern: number;
  events: number;
  reasons: string[];
  profile: PlaceProfile;
}

interface PlacePerson {
  id: number;
  name: string;
  is_child: boolean;
  person_of_concern: boolean;
  events: number;
}

const cell = (...c: (string | Node)[]) => el('td', { class: 'govuk-table__cell' }, ...c);
const numeric = (n: number) => el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, n.toLocaleString('en-GB'));

// "Hotel in Birmingham", or its name where the role may see it.
export function placeTitle(p: Place): string {
  const what = `${humanise(p.type)} in ${p.district || 'an unknown district'}`;
  return p.name ? `${p.name} (${what.charAt(0).toLowerCase()}${what.slice(1)})` : what;
}

export async function placesPage(): Promise<void> {
  const pending = early(get<{ places: Place[] }>('/api/places'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/places');
  setTitle('Places of concern');
  let places: Place[];
  try {
    places = (await pending).places;
  } catch (e) {
    return apiProblem(e);
  }
  const unmapped = places.filter((p) => !isLocation(p.location)).length;
  const mapContainer = el('div', {
    class: 'rr-map',
    id: 'places-map',
    role: 'region',
    'aria-label': 'Map of the places of concern by district. The table below lists the same places.',
  });
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Places of concern'),
    el('p', { class: 'govuk-body-l' }, `${places.length} places where children at risk and persons of concern are recorded together, highest score first (the latest network analysis).`),
    places.length === 0
      ? el('p', { class: 'govuk-body' }, 'The network analysis has found no place of concern.')
      : [
          el('h2', { class: 'govuk-heading-m' }, 'Map'),
          el('p', { class: 'govuk-body', id: 'places-map-hint' },
            'Each circle is a place of concern at the centre of its postcode sector (a few thousand addresses), not at its address. The bigger the circle, the higher the score. Select a circle for what the place is and a link to it. The table below the map lists the same places.'),
          mapContainer,
          unmapped > 0 &&
            el('p', { class: 'govuk-body-s', id: 'places-unmapped' }, `${unmapped} ${unmapped === 1 ? 'place has' : 'places have'} no postcode the map knows: the table lists ${unmapped === 1 ? 'it' : 'them'}.`),
          placesTable(places),
        ],
  );
  if (places.length === 0) return;
  try {
    const { drawPlacesMap } = await import('../placemap_view');
    drawPlacesMap(mapContainer, places, placeTitle);
    mapContainer.setAttribute('data-drawn', 'true');
  } catch {
    mapContainer.replaceWith(el('div', { class: 'govuk-inset-text', id: 'places-map-failed' }, 'The map could not be shown. The table below lists every place.'));
  }
}

function placesTable(places: Place[]): HTMLElement {
  return el('table', { class: 'govuk-table', id: 'places-table' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Places by score'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      ['Place', 'Score', 'Children at risk', 'Persons of concern', 'Events'].map((h, i) =>
        el('th', { scope: 'col', class: `govuk-table__header${i ? ' govuk-table__header--numeric' : ''}` }, h)))),
    el('tbody', { class: 'govuk-table__body' }, places.map((p) => el('tr', { class: 'govuk-table__row' },
      cell(el('a', { class: 'govuk-link', href: `/places/${p.id}` }, placeTitle(p))),
      numeric(p.score), numeric(p.children_at_risk), numeric(p.persons_of_concern), numeric(p.events)))));
}

// A two-column table of figures (the text alternative of a chart).
function figuresTable(id: string, caption: string, heading: string, rows: [string, number][], visibleCaption = false): HTMLElement {
  return el('table', { class: 'govuk-table', id },
    el('caption', { class: `govuk-table__caption ${visibleCaption ? 'govuk-table__caption--s' : 'govuk-visually-hidden'}` }, caption),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'col', class: 'govuk-table__header' }, heading),
      el('th', { scope: 'col', class: 'govuk-table__header govuk-table__header--numeric' }, 'Occasions'))),
    el('tbody', { class: 'govuk-table__body' }, rows.map(([label, n]) => el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'row', class: 'govuk-table__header' }, label), numeric(n)))));
}

const figuresDetails = (summary: string, table: HTMLElement) =>
  el('details', { class: 'govuk-details' },
    el('summary', { class: 'govuk-details__summary' }, el('span', { class: 'govuk-details__summary-text' }, summary)),
    el('div', { class: 'govuk-details__text' }, table));

const chartCanvas = (id: string, label: string) => el('canvas', { id, role: 'img', 'aria-label': label });

// The place's time profile: when occasions happen (weekday, hour of day) and the quarter-on-quarter trend, each
// chart followed by its figures as a table. Returns the section and the function that draws the charts (after
// the section is on the page).
function profileSection(profile: PlaceProfile): { section: HTMLElement[]; draw: () => void } {
  const top = busiest(profile);
  const untimed = profile.occasions - profile.timed;
  const weekdayCanvas = chartCanvas('place-weekday-chart', 'Bar chart of occasions at this place by day of the week; the table below gives the same figures.');
  const hourCanvas = chartCanvas('place-hour-chart', 'Bar chart of occasions at this place by hour of the day; the table below gives the same figures.');
  const trendCanvas = chartCanvas('place-trend-chart', 'Bar chart of occasions at this place in the 91 days before the last 91 days and in the last 91 days; the table below gives the same figures.');
  const trendRows: [string, number][] = [['The 91 days before', profile.previous_quarter], ['The last 91 days', profile.last_quarter]];
  const section = [
    el('h2', { class: 'govuk-heading-m', id: 'place-profile' }, 'When it happens'),
    profile.occasions === 0
      ? el('p', { class: 'govuk-body' }, 'No occasion at this place has a date in records the analysis used.')
      : el('p', { class: 'govuk-body', id: 'place-profile-summary' },
          `${profile.occasions} ${profile.occasions === 1 ? 'occasion' : 'occasions'} here`,
          top.weekday ? `, most often on a ${top.weekday}` : '',
          top.hour ? ` and between ${top.hour.replace(' to ', ' and ')}` : '',
          '.',
          untimed > 0 ? ` ${untimed} of them ${untimed === 1 ? 'has' : 'have'} no time of day and ${untimed === 1 ? 'is' : 'are'} not in the hour chart.` : ''),
    el('h3', { class: 'govuk-heading-s' }, 'By day of the week'),
    el('div', { class: 'rr-chart rr-chart--small' }, weekdayCanvas),
    figuresDetails('Occasions by day of the week as a table',
      figuresTable('place-weekday-table', 'Occasions at this place by day of the week', 'Day', weekdayRows(profile))),
    el('h3', { class: 'govuk-heading-s' }, 'By hour of the day'),
    el('div', { class: 'rr-chart rr-chart--small' }, hourCanvas),
    figuresDetails('Occasions by hour of the day as a table',
      figuresTable('place-hour-table', 'Occasions at this place by hour of the day', 'Hour', hourRows(profile))),
    el('h3', { class: 'govuk-heading-s' }, 'Trend'),
    el('p', { class: 'govuk-body', id: 'place-trend' }, `${trendWords(profile.trend)}.`),
    el('div', { class: 'rr-chart rr-chart--small' }, trendCanvas),
    figuresTable('place-trend-table', 'Occasions at this place, the last 91 days against the 91 days before', 'Period', trendRows, true),
  ];
  const bars = (canvas: HTMLCanvasElement, labels: string[], data: number[], axis: string) =>
    drawChart(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label: 'Occasions', data, backgroundColor: '#1d70b8', borderColor: '#0b0c0c', borderWidth: 1 }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: axis } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Occasions' } } },
        plugins: { legend: { display: false } },
      },
    });
  const draw = () => {
    bars(weekdayCanvas, WEEKDAYS.map((d) => d.slice(0, 3)), weekdayRows(profile).map(([, n]) => n), 'Day of the week');
    bars(hourCanvas, Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')), hourRows(profile).map(([, n]) => n), 'Hour of the day (24-hour clock)');
    bars(trendCanvas, trendRows.map(([l]) => l), trendRows.map(([, n]) => n), 'Period');
  };
  return { section, draw };
}

export async function placePage(id: string): Promise<void> {
  const pending = early(get<{ place: Place; people: PlacePerson[] | null }>(`/api/places/${id}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/places');
  let view: { place: Place; people: PlacePerson[] | null };
  try {
    view = await pending;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return problemPage('There is no place of concern with this number',
        el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/places' }, 'Back to the places of concern')));
    }
    return apiProblem(e);
  }
  const p = view.place;
  setTitle(placeTitle(p));
  const profile = p.profile ? profileSection(p.profile) : null;
  render(
    el('a', { class: 'govuk-back-link', href: '/places' }, 'Back to the places of concern'),
    el('h1', { class: 'govuk-heading-l' }, placeTitle(p)),
    el('dl', { class: 'govuk-summary-list', id: 'place-summary' },
      [['Type', humanise(p.type)], ['District', p.district || 'Not known'], ['Postcode', p.postcode ?? 'Not shown to your role'],
        ['Score', String(p.score)], ['Children at risk', String(p.children_at_risk)], ['Persons of concern', String(p.persons_of_concern)],
        ['Events', String(p.events)]].map(([k, v]) => el('div', { class: 'govuk-summary-list__row' },
        el('dt', { class: 'govuk-summary-list__key' }, k), el('dd', { class: 'govuk-summary-list__value' }, v)))),
    el('h2', { class: 'govuk-heading-m' }, 'Why it is of concern'),
    el('ul', { class: 'govuk-list govuk-list--bullet', id: 'place-reasons' }, p.reasons.map((r) => el('li', {}, r))),
    profile?.section,
    el('h2', { class: 'govuk-heading-m' }, 'People recorded here'),
    view.people === null
      ? el('p', { class: 'govuk-body' }, 'Your role sees the counts only.')
      : view.people.length === 0
        ? el('p', { class: 'govuk-body' }, 'No one recorded here in records you may see.')
        : el('table', { class: 'govuk-table', id: 'place-people' },
            el('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, 'People recorded at this place in records you may see'),
            el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
              ['Person', 'Who', 'Events here'].map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${i === 2 ? ' govuk-table__header--numeric' : ''}` }, h)))),
            el('tbody', { class: 'govuk-table__body' }, view.people.map((person) => el('tr', { class: 'govuk-table__row' },
              cell(person.is_child
                ? el('a', { class: 'govuk-link', href: `/children/${person.id}` }, person.name || `Child ${person.id}`)
                : person.name || `Person ${person.id}`),
              cell(person.is_child ? 'Child' : person.person_of_concern ? 'Person of concern' : 'Adult'),
              numeric(person.events))))),
    ...(READS_NOTES.includes(session.role)
      ? [el('h2', { class: 'govuk-heading-m' }, 'Case notes'),
        caseNotes(`/api/places/${id}`, session,
          'Notes on a place stay within your agency: only your colleagues see them. Up to 4,000 characters.')]
      : []),
  );
  profile?.draw();
}
