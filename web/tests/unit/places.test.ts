import { beforeEach, describe, expect, it, vi } from 'vitest';
import { placePage, placesPage, placeTitle, type Place } from '../../src/pages/places';
import type { PlaceProfile } from '../../src/placemap';
import { fakeApi, pageShell, session, settle } from './fake_api';

// The map itself (Leaflet) is drawn in the browser tests; here only what the page hands it.
const drawn = vi.hoisted(() => ({ calls: [] as { container: HTMLElement; places: { id: number }[] }[] }));
vi.mock('../../src/placemap_view', () => ({
  drawPlacesMap: (container: HTMLElement, places: { id: number }[]) => {
    drawn.calls.push({ container, places });
    return {};
  },
}));

const profile: PlaceProfile = { by_weekday: [0, 0, 0, 0, 2, 1, 0], by_hour: Array.from({ length: 24 }, (_, h) => (h === 21 ? 1 : 0)),
  occasions: 3, timed: 1, last_quarter: 2, previous_quarter: 1, trend: 'emerging' };
const hotel: Place = { id: 8, type: 'hotel', district: 'Birmingham', name: 'The Synthetic Arms', postcode: 'B1 1AA',
  location: { lat: 52.47607, lon: -1.90357 }, score: 9.5, children_at_risk: 2, persons_of_concern: 1, events: 3,
  reasons: ['2 children at risk seen here', '1 person of concern'], profile };
const masked: Place = { ...hotel, id: 9, name: null, postcode: null };
const nowhere: Place = { ...masked, id: 10, score: 2, location: null };

describe('places', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('names a place only where the role may see its name', () => {
    expect(placeTitle(hotel)).toBe('The Synthetic Arms (hotel in Birmingham)');
    expect(placeTitle(masked)).toBe('Hotel in Birmingham');
  });

  it('puts the places on the map and the same places in the table; says which the map cannot show', async () => {
    drawn.calls.length = 0;
    fakeApi({ 'GET /api/session': { status: 200, body: session }, 'GET /api/places': { status: 200, body: { places: [hotel, masked, nowhere] } } });
    await placesPage();
    await vi.waitFor(() => expect(drawn.calls).toHaveLength(1));
    const map = document.getElementById('places-map')!;
    expect(drawn.calls[0].container).toBe(map);
    expect(drawn.calls[0].places.map((p) => p.id)).toEqual([8, 9, 10]);
    expect(map.getAttribute('aria-label')).toMatch(/The table below lists the same places/);
    expect(map.getAttribute('data-drawn')).toBe('true');
    // The map comes before the table, and the table has every place, mapped or not.
    expect(map.compareDocumentPosition(document.getElementById('places-table')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(document.querySelectorAll('#places-table tbody tr')).toHaveLength(3);
    expect(document.getElementById('places-unmapped')!.textContent).toBe('1 place has no postcode the map knows: the table lists it.');
  });

  it('draws no map when there is no place of concern', async () => {
    drawn.calls.length = 0;
    fakeApi({ 'GET /api/session': { status: 200, body: session }, 'GET /api/places': { status: 200, body: { places: [] } } });
    await placesPage();
    expect(document.getElementById('places-map')).toBeNull();
    expect(drawn.calls).toHaveLength(0);
    expect(document.querySelector('main')!.textContent).toContain('The network analysis has found no place of concern.');
  });

  it('lists the places by score with their counts, each linking to its page', async () => {
    fakeApi({ 'GET /api/session': { status: 200, body: session }, 'GET /api/places': { status: 200, body: { places: [hotel, masked] } } });
    await placesPage();
    const rows = [...document.querySelectorAll('#places-table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['The Synthetic Arms (hotel in Birmingham)', '9.5', '2', '1', '3'],
      ['Hotel in Birmingham', '9.5', '2', '1', '3'],
    ]);
    expect(document.querySelector('#places-table a')!.getAttribute('href')).toBe('/places/8');
  });

  it('shows the people recorded at a place, children linking to their record; counts only for aggregate roles', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // jsdom has no canvas for the profile charts
    fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/places/8': { status: 200, body: { place: hotel, people: [
        { id: 17, name: 'Amy Synthetic', is_child: true, person_of_concern: false, events: 2, access_basis: ['own_agency'] },
        { id: 40, name: '', is_child: false, person_of_concern: true, events: 1, access_basis: ['own_agency'] }] } },
      'GET /api/places/9': { status: 200, body: { place: masked, people: null } },
    });
    await placePage('8');
    expect(document.querySelector('#place-people a')!.getAttribute('href')).toBe('/children/17');
    expect([...document.querySelectorAll('#place-people tbody tr')].map((tr) => tr.children[1].textContent)).toEqual(['Child', 'Person of concern']);
    expect(document.querySelector('#place-reasons')!.textContent).toContain('2 children at risk seen here');
    pageShell();
    await placePage('9');
    expect(document.querySelector('main')!.textContent).toContain('Your role sees the counts only.');
    expect(document.querySelector('main')!.textContent).toContain('Not shown to your role');
  });

  it("keeps the agency's case notes on a place: lists them and adds one; a role without notes sees no section", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // jsdom has no canvas for the profile charts
    const note = { id: 4, subject: 'place', subject_id: 8, author: 'bcc-cs-practitioner', agency: 'bcc-cs', text: 'Night staff saw two girls arrive by taxi.', created_at: '2026-12-01T22:10:00Z' };
    let notes = [note];
    const seen = fakeApi({
      'GET /api/session': { status: 200, body: session },
      'GET /api/places/8': { status: 200, body: { place: hotel, people: [] } },
      'GET /api/places/8/notes': () => ({ status: 200, body: { notes } }),
      'POST /api/places/8/notes': (r) => {
        notes = [...notes, { ...note, id: 5, text: (r.body as { text: string }).text, created_at: '2026-12-07T10:00:00Z' }];
        return { status: 201, body: notes[1] };
      },
    });
    await placePage('8');
    await settle();
    expect(document.querySelectorAll('#notes-list li')).toHaveLength(1);
    expect(document.querySelector('#notes-list')!.textContent).toContain('2026-12-01 22:10:00 · bcc-cs-practitioner (bcc-cs)');
    expect(document.querySelector('#notes label')!.textContent).toContain('Add a case note');
    expect(document.querySelector('#note-text-hint')?.textContent ?? document.querySelector('#notes')!.textContent).toContain('only your colleagues see them');
    document.querySelector<HTMLButtonElement>('#note-form button')!.click();
    await settle();
    expect(document.querySelector('.govuk-error-summary')!.textContent).toContain('Enter');
    expect(seen.filter((r) => r.method === 'POST')).toEqual([]);
    document.querySelector<HTMLTextAreaElement>('#note-text')!.value = 'Manager told: CCTV requested.';
    document.querySelector<HTMLButtonElement>('#note-form button')!.click();
    await settle();
    expect(seen.filter((r) => r.method === 'POST').map((r) => [r.path, r.body])).toEqual([['/api/places/8/notes', { text: 'Manager told: CCTV requested.' }]]);
    expect([...document.querySelectorAll('#notes-list li')].map((li) => li.lastElementChild!.textContent)).toEqual(['Night staff saw two girls arrive by taxi.', 'Manager told: CCTV requested.']);
    // An IG lead reads places but not case notes: no section, no request.
    pageShell();
    const ig = fakeApi({
      'GET /api/session': { status: 200, body: { ...session, user: 'bcc-cs-ig_lead', role: 'ig_lead' } },
      'GET /api/places/9': { status: 200, body: { place: masked, people: null } },
    });
    await placePage('9');
    await settle();
    expect(document.querySelector('#notes')).toBeNull();
    expect(ig.some((r) => r.path.endsWith('/notes'))).toBe(false);
  });

  it("shows the place's time profile as charts, each with its figures in a table", async () => {
    // jsdom has no canvas: the charts are drawn in the browser tests.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    fakeApi({ 'GET /api/session': { status: 200, body: session }, 'GET /api/places/9': { status: 200, body: { place: masked, people: null } } });
    await placePage('9');
    const rows = (id: string) => [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows('place-weekday-table')).toEqual([['Monday', '0'], ['Tuesday', '0'], ['Wednesday', '0'], ['Thursday', '0'], ['Friday', '2'], ['Saturday', '1'], ['Sunday', '0']]);
    const hours = rows('place-hour-table');
    expect(hours).toHaveLength(24);
    expect(hours[21]).toEqual(['21:00 to 21:59', '1']);
    expect(hours.filter(([, n]) => n !== '0')).toHaveLength(1);
    expect(rows('place-trend-table')).toEqual([['The 91 days before', '1'], ['The last 91 days', '2']]);
    expect(document.getElementById('place-trend')!.textContent).toMatch(/^Emerging: more occasions in the last 91 days/);
    expect(document.getElementById('place-profile-summary')!.textContent).toBe(
      '3 occasions here, most often on a Friday and between 21:00 and 21:59. 2 of them have no time of day and are not in the hour chart.');
    for (const id of ['place-weekday-chart', 'place-hour-chart', 'place-trend-chart']) {
      expect(document.getElementById(id)!.getAttribute('aria-label')).toMatch(/the table below gives the same figures/);
    }
  });
});
