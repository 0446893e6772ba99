// The pure parts of the practitioner workflow pages (caseload, alerts, MASE, actions, disruptions, and the
// judgement on the child page): form checks that mirror the API's rules, the API's 400 mapped to the field it
// names, If-Match values and conflict messages, table rows and filters. Unit tested without a browser
// (tests/unit/practice.test.ts); the API stays the judge: a form that passes here may still get a 400.
import { ApiError } from './api';
import { humanise, levelLabel, reasonProblem } from './format';
import type { FieldError } from './layout';
import type { CaseloadChild, Level, PracticeAction, TrajectoryEntry } from './types';

export const LEVEL_RANK: Record<Level, number> = { none: 0, at_risk: 1, significant: 2, serious: 3 };
export const RANK_LEVEL: Level[] = ['none', 'at_risk', 'significant', 'serious'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// A real calendar date written YYYY-MM-DD ("2026-02-30" is not one).
export function isIsoDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function isoToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// ---- If-Match -------------------------------------------------------------------------------------------

// The strong ETag the API gives for a version ("7"): what an update sends back in If-Match.
export const ifMatch = (version: number): string => `"${version}"`;

// What to tell the user when an update was refused because of the state it was based on (or null: not one).
export function conflictMessage(e: unknown, what: string): string | null {
  if (!(e instanceof ApiError)) return null;
  if (e.status === 412) return `Someone else changed this ${what} since you opened the page. Your change was not saved: reload the page to see the current ${what}, then try again.`;
  if (e.status === 428) return `This ${what} could not be updated safely (the page did not say which version it read). Reload the page and try again.`;
  if (e.status === 409) return `This ${what} cannot be changed in its current state: ${e.message}. Reload the page to see it.`;
  return null;
}

// ---- the API's 400, on the field it names ----------------------------------------------------------------

// The API's 400 message starts with the field's name ("reason: ...", "observations[1].date: ..."). Given the
// page's map from API field to input id, the error goes to that input; otherwise to the summary alone.
export function fieldErrorFromApi(e: unknown, fields: Record<string, string>, fallback = 'The change was not saved'): FieldError {
  if (!(e instanceof ApiError)) return { field: '', message: `${fallback}: the service could not be reached` };
  const m = /^([a-z_]+(?:\[(\d+)\])?(?:\.([a-z_]+))?)(?:, [a-z_]+)?: (.+)$/s.exec(e.message);
  if (e.status === 400 && m) {
    const [, whole, index, sub, rest] = m;
    const base = whole.replace(/\[\d+\].*$/, '');
    const key = index !== undefined ? `${base}[].${sub ?? ''}` : whole;
    const id = fields[key]?.replace('#', index ?? '');
    const label = humanise((sub ?? base).replace(/_id$/, ''));
    return { field: id ?? '', message: `${label}: ${rest}` };
  }
  return { field: '', message: `${fallback}: ${e.message}` };
}

// ---- the child page: override, screening, case note ------------------------------------------------------

export interface OverrideForm {
  level: string;
  reason: string;
  nextReview: string;
}

export function validateOverride(form: OverrideForm, current: Level | null, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!(form.level in LEVEL_RANK)) errors.push({ field: 'override-level', message: 'Select the level you judge right' });
  else if (current !== null && form.level === current) {
    errors.push({ field: 'override-level', message: `The level is already ${levelLabel(current)}: select a different level` });
  }
  const rp = reasonProblem(form.reason);
  if (rp) errors.push({ field: 'override-reason', message: rp });
  const review = form.nextReview.trim();
  if (review) {
    if (!isIsoDate(review)) errors.push({ field: 'override-next-review', message: 'Enter the review date as YYYY-MM-DD, for example 2026-04-30' });
    else if (review <= today) errors.push({ field: 'override-next-review', message: 'The review date must be after today' });
    else if (review > addDays(today, 366)) errors.push({ field: 'override-next-review', message: 'The review date must be within a year' });
  }
  return errors;
}

export interface ObservationForm {
  indicator: string;
  date: string;
  source: string;
}

// Rows left wholly blank are ignored; at least one observation; each complete and within the API's rules.
export function validateScreening(rows: ObservationForm[], today: string): { errors: FieldError[]; observations: ObservationForm[] } {
  const errors: FieldError[] = [];
  const observations: ObservationForm[] = [];
  rows.forEach((r, i) => {
    const row = { indicator: r.indicator.trim(), date: r.date.trim(), source: r.source.trim() };
    if (!row.indicator && !row.date && !row.source) return;
    const n = i + 1;
    if (!/^[a-z_]{2,64}$/.test(row.indicator)) errors.push({ field: `screening-indicator-${i}`, message: `Observation ${n}: choose an indicator of the screening model` });
    if (!isIsoDate(row.date)) errors.push({ field: `screening-date-${i}`, message: `Observation ${n}: enter the date as YYYY-MM-DD` });
    else if (row.date > today) errors.push({ field: `screening-date-${i}`, message: `Observation ${n}: the date cannot be in the future` });
    else if (row.date < addDays(today, -366)) errors.push({ field: `screening-date-${i}`, message: `Observation ${n}: the date must be within the last year` });
    if (!row.source) errors.push({ field: `screening-source-${i}`, message: `Observation ${n}: say who or what reported it` });
    else if ([...row.source].length > 200 || /[\u0000-\u001f]/.test(row.source)) {
      errors.push({ field: `screening-source-${i}`, message: `Observation ${n}: the source is one line of at most 200 characters` });
    }
    observations.push(row);
  });
  if (observations.length === 0) errors.push({ field: 'screening-indicator-0', message: 'Enter at least one observation' });
  return { errors, observations };
}

export function noteProblem(text: string): string | null {
  if (text.trim().length === 0) return 'Enter the note';
  if ([...text].length > 4000) return 'The note must be 4,000 characters or fewer';
  if (/[\u0000-\u0008\u000b-\u001f]/.test(text)) return 'The note cannot contain control characters';
  return null;
}

// The trajectory as chart points: the level that counts (0 none .. 3 serious) by date, and which were overrides.
export interface TrajectoryPoint {
  date: string;
  rank: number;
  label: string;
  kind: string;
}

export function trajectoryPoints(entries: TrajectoryEntry[]): TrajectoryPoint[] {
  return entries.map((a) => ({ date: a.date, rank: LEVEL_RANK[a.level], label: levelLabel(a.level), kind: a.kind }));
}

// One row of the trajectory table, in words.
export function trajectoryRow(a: TrajectoryEntry): string[] {
  const how = a.kind === 'pipeline' ? 'Model (nightly run)' : a.kind === 'screening' ? 'Screening' : 'Override';
  const why = a.override ? `${levelLabel(a.override.level)} by ${a.override.by}: ${a.override.reason}` : '';
  const review = a.next_review ? `${a.next_review}${a.review_overdue ? ' (overdue)' : ''}` : 'None set';
  return [a.date, how, levelLabel(a.level), levelLabel(a.model_level), String(a.score), a.made_by, why, review];
}

// ---- actions ----------------------------------------------------------------------------------------------

export interface ActionFilter {
  status: '' | 'open' | 'done' | 'cancelled';
  mine: boolean;
  overdue: boolean;
}

export function parseActionFilter(search: string): ActionFilter {
  const q = new URLSearchParams(search);
  const s = q.get('status') ?? '';
  return {
    status: s === 'open' || s === 'done' || s === 'cancelled' ? s : '',
    mine: q.get('mine') === '1',
    overdue: q.get('overdue') === '1',
  };
}

// The API filters by overdue (?overdue=1); status and "mine" are the page's own filters over what came back.
export function filterActions(actions: PracticeAction[], f: ActionFilter, user: string): PracticeAction[] {
  return actions.filter((a) => (!f.status || a.status === f.status) && (!f.mine || a.owner_user === user) && (!f.overdue || a.overdue));
}

export function linkText(link: { kind: string; id: number }): string {
  return `${humanise(link.kind)} ${link.id}`;
}

export function linkHref(link: { kind: string; id: number }): string | null {
  switch (link.kind) {
    case 'child':
      return `/children/${link.id}`;
    case 'place':
      return `/places/${link.id}`;
    case 'network':
      return `/networks/${link.id}`;
    case 'meeting':
      return `/mase/${link.id}`;
    default:
      return null;
  }
}

export function actionStatusText(a: PracticeAction): string {
  if (a.status === 'open') return a.overdue ? 'Open, overdue' : 'Open';
  return `${humanise(a.status)}${a.status_reason ? `: ${a.status_reason}` : ''}`;
}

export interface ActionForm {
  title: string;
  ownerAgency: string;
  ownerUser: string;
  due: string;
}

export function validateAction(form: ActionForm): FieldError[] {
  const errors: FieldError[] = [];
  const n = [...form.title.trim()].length;
  if (n < 3 || n > 200) errors.push({ field: 'action-title', message: 'Enter what is to be done, 3 to 200 characters' });
  if (!/^[a-z0-9-]{2,32}$/.test(form.ownerAgency.trim())) errors.push({ field: 'action-owner-agency', message: 'Enter the owner agency’s code, for example bcc-cs' });
  if (!form.ownerUser.trim()) errors.push({ field: 'action-owner-user', message: 'Enter the user name of the person who owns the action' });
  if (!isIsoDate(form.due.trim())) errors.push({ field: 'action-due', message: 'Enter the due date as YYYY-MM-DD' });
  return errors;
}

// A status change: cancelling or reopening needs a reason (the API's rule), done does not.
export function statusChangeProblem(from: string, to: string, reason: string): string | null {
  if (from === to) return 'Select a different status';
  if ((to === 'cancelled' || to === 'open') && reason.trim().length === 0) {
    return to === 'cancelled' ? 'Say why the action is cancelled' : 'Say why the action is reopened';
  }
  if ([...reason].length > 500) return 'The reason must be 500 characters or fewer';
  return null;
}

// ---- disruptions --------------------------------------------------------------------------------------------

export const DISRUPTION_KINDS: [string, string][] = [
  ['cawn', 'Child Abduction Warning Notice (CAWN)'],
  ['sexual_risk_order', 'Sexual Risk Order'],
  ['sexual_harm_prevention_order', 'Sexual Harm Prevention Order'],
  ['hotel_notice', 'Hotel or B&B notice'],
  ['licensing_review', 'Licensing review'],
  ['closure_order', 'Closure order'],
  ['other', 'Other'],
];

export function disruptionKindLabel(kind: string): string {
  return DISRUPTION_KINDS.find(([k]) => k === kind)?.[1] ?? humanise(kind);
}

export interface DisruptionForm {
  kind: string;
  personId: string;
  placeId: string;
  issuingAgency: string;
  issued: string;
  expires: string;
  note: string;
}

export function validateDisruption(form: DisruptionForm, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!DISRUPTION_KINDS.some(([k]) => k === form.kind)) errors.push({ field: 'disruption-kind', message: 'Select the kind of order or notice' });
  const person = form.personId.trim();
  const place = form.placeId.trim();
  if (!person && !place) errors.push({ field: 'disruption-person', message: 'Enter the subject person’s number, the place’s number, or both' });
  if (person && !/^\d{1,18}$/.test(person)) errors.push({ field: 'disruption-person', message: 'The person’s number is digits only' });
  if (place && !/^\d{1,18}$/.test(place)) errors.push({ field: 'disruption-place', message: 'The place’s number is digits only' });
  if (!/^[a-z0-9-]{2,32}$/.test(form.issuingAgency.trim())) errors.push({ field: 'disruption-agency', message: 'Enter the issuing agency’s code, for example wmp' });
  const issued = form.issued.trim();
  if (!isIsoDate(issued)) errors.push({ field: 'disruption-issued', message: 'Enter the issue date as YYYY-MM-DD' });
  else if (issued > today) errors.push({ field: 'disruption-issued', message: 'The issue date cannot be in the future' });
  const expires = form.expires.trim();
  if (expires) {
    if (!isIsoDate(expires)) errors.push({ field: 'disruption-expires', message: 'Enter the expiry date as YYYY-MM-DD, or leave it blank' });
    else if (isIsoDate(issued) && expires < issued) errors.push({ field: 'disruption-expires', message: 'The expiry date cannot be before the issue date' });
  }
  if ([...form.note].length > 1000) errors.push({ field: 'disruption-note', message: 'The note must be 1,000 characters or fewer' });
  return errors;
}

export function validateBreach(date: string, note: string, issued: string, today: string): FieldError[] {
  const errors: FieldError[] = [];
  const d = date.trim();
  if (!isIsoDate(d)) errors.push({ field: 'breach-date', message: 'Enter the date of the breach as YYYY-MM-DD' });
  else if (d > today) errors.push({ field: 'breach-date', message: 'The breach date cannot be in the future' });
  else if (d < issued) errors.push({ field: 'breach-date', message: `The breach date cannot be before the order was issued (${issued})` });
  const n = [...note.trim()].length;
  if (n < 3 || n > 1000) errors.push({ field: 'breach-note', message: 'Say what happened, 3 to 1,000 characters' });
  return errors;
}

// ---- alerts and MASE --------------------------------------------------------------------------------------------

export const ALERT_KINDS: Record<string, string> = {
  missing_episode: 'New missing episode',
  level_rise: 'Level rose',
  new_link: 'Newly linked to a person or place of concern',
  action_overdue: 'Action overdue',
  disruption_expiring: 'Order or notice about to expire',
  disruption_breached: 'Order or notice breached',
  review_overdue: 'Review overdue',
};

export const ALERT_WHY: Record<string, string> = {
  allocated_case: 'your allocated case',
  mase_listing: 'your MASE listing',
  manager: 'you manage the practitioner',
  action_owner: 'you own the action',
  recorded_by: 'you recorded it',
};

export const AGENDA_REASONS: Record<string, string> = {
  new_serious: 'Newly serious',
  new_significant: 'Newly significant',
  rising: 'Rising',
  missing_again: 'Missing again',
  review_overdue: 'Review overdue',
  new_place_of_concern: 'New place of concern',
  added: 'Added by the chair',
};

export interface MeetingForm {
  district: string;
  date: string;
  chair: string;
  panel: string;
}

export function validateMeeting(form: MeetingForm): FieldError[] {
  const errors: FieldError[] = [];
  const n = form.district.trim().length;
  if (n < 2 || n > 64) errors.push({ field: 'meeting-district', message: 'Enter the district, for example Birmingham' });
  if (!isIsoDate(form.date.trim())) errors.push({ field: 'meeting-date', message: 'Enter the meeting date as YYYY-MM-DD' });
  if (!form.chair.trim()) errors.push({ field: 'meeting-chair', message: 'Enter the chair’s user name' });
  if ([...form.panel].length > 2000) errors.push({ field: 'meeting-panel', message: 'The panel list must be 2,000 characters or fewer' });
  return errors;
}

// ---- caseload --------------------------------------------------------------------------------------------------

const TREND: Record<string, string> = { new: 'New', rising: 'Rising', steady: 'Steady', falling: 'Falling' };

export function caseloadRow(k: CaseloadChild): { name: string; override: string; trend: string; assessed: string; review: string; alerts: string } {
  return {
    name: k.name || `Child ${k.child_id}`,
    override: k.override && k.model_level ? `(override; model: ${levelLabel(k.model_level)})` : '',
    trend: k.trend ? TREND[k.trend] ?? k.trend : '—',
    assessed: k.assessed_on ?? 'Never',
    review: k.next_review ? `${k.next_review}${k.review_overdue ? ' (overdue)' : ''}` : 'None set',
    alerts: String(k.open_alerts),
  };
}

// Highest level first, then the earliest review (none last), then the child's id.
export function sortCaseload(children: CaseloadChild[]): CaseloadChild[] {
  const rank = (k: CaseloadChild) => (k.level ? LEVEL_RANK[k.level] : -1);
  return [...children].sort((a, b) => rank(b) - rank(a) || (a.next_review ?? '9999').localeCompare(b.next_review ?? '9999') || a.child_id - b.child_id);
}
