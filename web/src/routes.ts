// The page URLs (a contract, docs/practitioner-guide.md). `riskradar serve` answers each with the app's HTML
// (WebPages() in src/server/web_assets.cc lists the same templates; a unit test keeps the two in step).
export type PageName = 'sign-in' | 'radar' | 'child' | 'review-list' | 'review-item' | 'places' | 'place' | 'networks' | 'network' | 'admin' | 'not-found'
  | 'caseload' | 'alerts' | 'mase-list' | 'mase' | 'actions' | 'disruptions'
  | 'person' | 'reports';

export interface PageMatch {
  page: PageName;
  id?: string;
}

const ID = '([0-9]{1,18})';
const PAGES: [RegExp, PageName][] = [
  [/^\/$/, 'radar'],
  [/^\/sign-in$/, 'sign-in'],
  [new RegExp(`^/children/${ID}$`), 'child'],
  [/^\/review$/, 'review-list'],
  [new RegExp(`^/review/${ID}$`), 'review-item'],
  [/^\/places$/, 'places'],
  [new RegExp(`^/places/${ID}$`), 'place'],
  [/^\/networks$/, 'networks'],
  [new RegExp(`^/networks/${ID}$`), 'network'],
  [/^\/admin$/, 'admin'],
  [/^\/caseload$/, 'caseload'],
  [/^\/alerts$/, 'alerts'],
  [/^\/mase$/, 'mase-list'],
  [new RegExp(`^/mase/${ID}$`), 'mase'],
  [/^\/actions$/, 'actions'],
  [/^\/disruptions$/, 'disruptions'],
  [new RegExp(`^/people/${ID}$`), 'person'],
  [/^\/reports$/, 'reports'],
];

// The templates as the server writes them, for the cross-check (WebPages() lists them in this order).
export const PAGE_TEMPLATES = ['/', '/sign-in', '/children/{id}', '/review', '/review/{id}', '/places', '/places/{id}', '/networks', '/networks/{id}', '/admin',
  '/people/{id}', '/reports',
  // The practitioner workflow (issue 15 item 7).
  '/caseload', '/alerts', '/mase', '/mase/{id}', '/actions', '/disruptions'];

export function matchPage(path: string): PageMatch {
  for (const [pattern, page] of PAGES) {
    const m = pattern.exec(path);
    if (m) return m[1] === undefined ? { page } : { page, id: m[1] };
  }
  return { page: 'not-found' };
}

// Where to go after signing in: only a path of this site ("/children/17"), never another origin
// ("//evil.example", "/\\evil", "https://..."); anything else goes to the radar.
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\\]/.test(next)) return '/';
  return matchPage(next.split('?')[0]).page === 'not-found' || next.startsWith('/sign-in') ? '/' : next;
}
