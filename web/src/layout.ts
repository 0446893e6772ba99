// What every page shares: the session (or the way to sign-in), the navigation for the user's role, the
// "main content rendered" mark the browser tests time, and the GOV.UK error summary.
import { ApiError, get, post, setCsrfToken } from './api';
import { append, clear, el, type Child } from './dom';
import type { Role, SessionInfo } from './types';

export function mainElement(): HTMLElement {
  const main = document.getElementById('main-content');
  if (!main) throw new Error('the page has no main element');
  return main;
}

export function setTitle(title: string): void {
  document.title = `${title} – riskradar`;
}

// Replaces the main content and marks it rendered (performance mark "rr-main-rendered", data-ready).
export function render(...children: Child[]): HTMLElement {
  const main = mainElement();
  clear(main);
  append(main, children);
  main.setAttribute('data-ready', 'true');
  performance.mark('rr-main-rendered');
  return main;
}

// A request started before the session check (they run in parallel; its failure is reported by whoever awaits
// it, after the session check has redirected an anonymous visitor).
export function early<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

// The session, or a redirect to sign-in that comes back here. Enrolling sessions go to sign-in to finish.
export async function requireSession(): Promise<SessionInfo | null> {
  try {
    const s = await get<SessionInfo>('/api/session');
    setCsrfToken(s.csrf_token);
    if (s.must_enrol) {
      window.location.assign('/sign-in');
      return null;
    }
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      const here = window.location.pathname + window.location.search;
      window.location.assign(`/sign-in?next=${encodeURIComponent(here)}`);
      return null;
    }
    throw e;
  }
}

interface NavItem {
  href: string;
  text: string;
  roles: Role[];
}

const NAV: NavItem[] = [
  { href: '/', text: 'Radar', roles: ['analyst', 'practitioner', 'manager', 'ig_lead', 'administrator'] },
  { href: '/review', text: 'Review matches', roles: ['analyst', 'practitioner', 'manager'] },
  { href: '/networks', text: 'Networks', roles: ['analyst', 'practitioner', 'manager', 'ig_lead', 'administrator'] },
  { href: '/places', text: 'Places', roles: ['analyst', 'practitioner', 'manager', 'ig_lead', 'administrator'] },
  { href: '/reports', text: 'Reports', roles: ['analyst', 'administrator'] },
  { href: '/admin', text: 'Administration', roles: ['manager', 'ig_lead', 'administrator'] },
  { href: '/caseload', text: 'Caseload', roles: ['practitioner', 'manager'] },
  { href: '/alerts', text: 'Alerts', roles: ['analyst', 'practitioner', 'manager', 'ig_lead', 'administrator'] },
  { href: '/mase', text: 'MASE', roles: ['practitioner', 'manager'] },
  { href: '/actions', text: 'Actions', roles: ['practitioner', 'manager'] },
  { href: '/disruptions', text: 'Disruptions', roles: ['practitioner', 'manager'] },
];

export function navFor(role: Role): NavItem[] {
  return NAV.filter((n) => n.roles.includes(role));
}

export function showNavigation(session: SessionInfo, current: string): void {
  const nav = document.getElementById('rr-nav');
  const list = document.getElementById('rr-nav-list');
  const who = document.getElementById('rr-whoami');
  if (!nav || !list) return;
  clear(list);
  for (const item of navFor(session.role)) {
    const active = item.href === current;
    list.appendChild(
      el(
        'li',
        { class: `govuk-service-navigation__item${active ? ' govuk-service-navigation__item--active' : ''}` },
        el('a', { class: 'govuk-service-navigation__link', href: item.href, 'aria-current': active ? 'page' : undefined }, item.text),
      ),
    );
  }
  const signOut = el('button', { type: 'button', class: 'govuk-service-navigation__link rr-link-button' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    try {
      await post('/api/logout', {});
    } finally {
      window.location.assign('/sign-in');
    }
  });
  list.appendChild(el('li', { class: 'govuk-service-navigation__item' }, signOut));
  nav.hidden = false;
  if (who) {
    who.textContent = `Signed in as ${session.user} (${session.agency}, ${session.role.replace('_', ' ')}). Every access to a child's record is recorded and reviewed.`;
  }
}

export interface FieldError {
  field: string; // the id of the input it belongs to
  message: string;
}

// The GOV.UK error summary: focused, each error a link to its field.
export function errorSummary(errors: FieldError[], title = 'There is a problem'): HTMLElement {
  const summary = el(
    'div',
    { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary', tabindex: '-1' },
    el(
      'div',
      { role: 'alert' },
      el('h2', { class: 'govuk-error-summary__title' }, title),
      el(
        'div',
        { class: 'govuk-error-summary__body' },
        el(
          'ul',
          { class: 'govuk-list govuk-error-summary__list' },
          errors.map((e) => el('li', {}, e.field ? el('a', { href: `#${e.field}` }, e.message) : e.message)),
        ),
      ),
    ),
  );
  return summary;
}

export function showErrors(container: HTMLElement, errors: FieldError[], title?: string): void {
  clear(container);
  if (errors.length === 0) return;
  const summary = errorSummary(errors, title);
  container.appendChild(summary);
  summary.focus();
}

// A field in the GOV.UK pattern: label, optional hint, error message slot, the control.
export function formGroup(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  const describedBy = hint ? `${id}-hint` : undefined;
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
  return el(
    'div',
    { class: 'govuk-form-group', id: `${id}-group` },
    el('label', { class: 'govuk-label govuk-label--s', for: id }, label),
    hint ? el('div', { class: 'govuk-hint', id: `${id}-hint` }, hint) : null,
    el('p', { class: 'govuk-error-message', id: `${id}-error`, hidden: true }),
    control,
  );
}

export function setFieldError(id: string, message: string | null): void {
  const group = document.getElementById(`${id}-group`);
  const slot = document.getElementById(`${id}-error`);
  const control = document.getElementById(id);
  if (!group || !slot || !control) return;
  group.classList.toggle('govuk-form-group--error', message !== null);
  control.classList.toggle(control.tagName === 'TEXTAREA' ? 'govuk-textarea--error' : 'govuk-input--error', message !== null);
  clear(slot);
  slot.hidden = message === null;
  const hint = document.getElementById(`${id}-hint`) ? `${id}-hint` : '';
  if (message !== null) {
    append(slot, [el('span', { class: 'govuk-visually-hidden' }, 'Error: '), message]);
    control.setAttribute('aria-describedby', [hint, `${id}-error`].filter(Boolean).join(' '));
  } else if (hint) {
    control.setAttribute('aria-describedby', hint);
  } else {
    control.removeAttribute('aria-describedby');
  }
}

export function levelTag(level: string, label: string): HTMLElement {
  return el('strong', { class: `govuk-tag rr-level--${level}` }, label);
}

export function problemPage(title: string, ...body: Child[]): void {
  setTitle(title);
  render(el('h1', { class: 'govuk-heading-l' }, title), ...body);
}

// The standard message for an API failure the page cannot handle itself.
export function apiProblem(e: unknown): void {
  if (e instanceof ApiError && e.status === 403) {
    problemPage('You cannot see this page', el('p', { class: 'govuk-body' }, 'Your role does not give access to this page.'));
    return;
  }
  const message = e instanceof ApiError ? e.message : 'the page could not be shown';
  problemPage('Sorry, there is a problem', el('p', { class: 'govuk-body' }, `The service answered: ${message}. Try again later.`));
}
