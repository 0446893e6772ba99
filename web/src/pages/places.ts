// /places and /places/{id}: the places of concern of the latest network run (GET /api/places), highest score
// first, with the counts and reasons behind each; a place's people for roles that may see identities.
// (The offline map of issue 15 follows; the table is its text alternative.)
import { ApiError, get } from '../api';
import { el } from '../dom';
import { humanise } from '../format';
import { apiProblem, early, problemPage, render, requireSession, setTitle, showNavigation } from '../layout';

export interface Place {
  id: number;
  type: string;
  district: string;
  name: string | null;
  postcode: string | null;
  score: number;
  children_at_risk: number;
  persons_of_concern: number;
  events: number;
  reasons: string[];
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
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Places of concern'),
    el('p', { class: 'govuk-body-l' }, `${places.length} places where children at risk and persons of concern are recorded together, highest score first (the latest network analysis).`),
    places.length === 0
      ? el('p', { class: 'govuk-body' }, 'The network analysis has found no place of concern.')
      : el('table', { class: 'govuk-table', id: 'places-table' },
          el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Places by score'),
          el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
            ['Place', 'Score', 'Children at risk', 'Persons of concern', 'Events'].map((h, i) =>
              el('th', { scope: 'col', class: `govuk-table__header${i ? ' govuk-table__header--numeric' : ''}` }, h)))),
          el('tbody', { class: 'govuk-table__body' }, places.map((p) => el('tr', { class: 'govuk-table__row' },
            cell(el('a', { class: 'govuk-link', href: `/places/${p.id}` }, placeTitle(p))),
            numeric(p.score), numeric(p.children_at_risk), numeric(p.persons_of_concern), numeric(p.events))))),
  );
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
  );
}
