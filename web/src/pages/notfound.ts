// Any URL that is not a page: the GOV.UK "page not found" pattern (the server answers it with status 404).
import { el } from '../dom';
import { problemPage } from '../layout';

export function notFoundPage(): void {
  problemPage('Page not found',
    el('p', { class: 'govuk-body' }, 'If you typed the web address, check it is correct.'),
    el('p', { class: 'govuk-body' }, 'If you pasted the web address, check you copied the entire address.'),
    el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/' }, 'Go to the radar')));
}
