import { beforeEach, describe, expect, it, vi } from 'vitest';
import { placePage, placesPage, placeTitle, type Place } from '../../src/pages/places';
import { fakeApi, pageShell, session } from './fake_api';

const hotel: Place = { id: 8, type: 'hotel', district: 'Birmingham', name: 'The Synthetic Arms', postcode: 'B1 1AA', score: 9.5,
  children_at_risk: 2, persons_of_concern: 1, events: 3, reasons: ['2 children at risk seen here', '1 person of concern'] };
const masked: Place = { ...hotel, id: 9, name: null, postcode: null };

describe('places', () => {
  beforeEach(() => {
    pageShell();
    vi.unstubAllGlobals();
  });

  it('names a place only where the role may see its name', () => {
    expect(placeTitle(hotel)).toBe('The Synthetic Arms (hotel in Birmingham)');
    expect(placeTitle(masked)).toBe('Hotel in Birmingham');
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
});
