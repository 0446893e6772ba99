import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api';
import {
  addDays,
  caseloadRow,
  conflictMessage,
  fieldErrorFromApi,
  filterActions,
  ifMatch,
  isIsoDate,
  linkHref,
  noteProblem,
  parseActionFilter,
  sortCaseload,
  statusChangeProblem,
  trajectoryPoints,
  trajectoryRow,
  validateAction,
  validateBreach,
  validateDisruption,
  validateMeeting,
  validateOverride,
  validateScreening,
} from '../../src/practice';
import type { CaseloadChild, PracticeAction, TrajectoryEntry } from '../../src/types';

const TODAY = '2026-03-07';
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('dates', () => {
  it('accepts real calendar dates only and counts days across months and years', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2024-02-29')).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-1-01', '07/03/2026', '', '2026-03-07T00:00']) expect(isIsoDate(bad)).toBe(false);
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('the override form', () => {
  const ok = { level: 'serious', reason: 'Disclosed to the school nurse today', nextReview: '' };
  it('needs a level different from the current one and a reason of at least 10 characters', () => {
    expect(validateOverride(ok, 'significant', TODAY)).toEqual([]);
    expect(validateOverride({ ...ok, level: '' }, 'significant', TODAY)).toEqual([{ field: 'override-level', message: 'Select the level you judge right' }]);
    expect(validateOverride(ok, 'serious', TODAY)).toEqual([{ field: 'override-level', message: 'The level is already Serious: select a different level' }]);
    expect(validateOverride({ ...ok, reason: '  too short ' }, 'none', TODAY)).toEqual([{ field: 'override-reason', message: 'Enter a reason of at least 10 characters' }]);
    expect(fields(validateOverride({ level: 'x', reason: '', nextReview: 'soon' }, null, TODAY))).toEqual(['override-level', 'override-reason', 'override-next-review']);
  });

  it('takes an optional review date after today and within 366 days', () => {
    expect(validateOverride({ ...ok, nextReview: '2026-03-08' }, 'none', TODAY)).toEqual([]);
    expect(validateOverride({ ...ok, nextReview: addDays(TODAY, 366) }, 'none', TODAY)).toEqual([]);
    expect(validateOverride({ ...ok, nextReview: TODAY }, 'none', TODAY)[0].message).toBe('The review date must be after today');
    expect(validateOverride({ ...ok, nextReview: addDays(TODAY, 367) }, 'none', TODAY)[0].message).toBe('The review date must be within a year');
    expect(validateOverride({ ...ok, nextReview: '2026-02-30' }, 'none', TODAY)[0].field).toBe('override-next-review');
  });
});

describe('the screening form', () => {
  it('ignores blank rows, trims the rest and names the row and field of each problem', () => {
    const { errors, observations } = validateScreening([
      { indicator: ' disclosure ', date: '2026-03-01', source: ' school nurse ' },
      { indicator: '', date: '', source: '' },
      { indicator: 'Bad Code', date: '2026-03-08', source: '' },
    ], TODAY);
    expect(observations).toEqual([
      { indicator: 'disclosure', date: '2026-03-01', source: 'school nurse' },
      { indicator: 'Bad Code', date: '2026-03-08', source: '' },
    ]);
    expect(errors).toEqual([
      { field: 'screening-indicator-2', message: 'Observation 3: choose an indicator of the screening model' },
      { field: 'screening-date-2', message: 'Observation 3: the date cannot be in the future' },
      { field: 'screening-source-2', message: 'Observation 3: say who or what reported it' },
    ]);
  });

  it('needs one observation, dated within the last year, with a one-line source', () => {
    expect(validateScreening([{ indicator: '', date: '', source: '' }], TODAY).errors).toEqual([{ field: 'screening-indicator-0', message: 'Enter at least one observation' }]);
    expect(validateScreening([{ indicator: 'abuse', date: addDays(TODAY, -367), source: 'gp' }], TODAY).errors[0].message).toBe('Observation 1: the date must be within the last year');
    expect(validateScreening([{ indicator: 'abuse', date: TODAY, source: 'line\nbreak' }], TODAY).errors[0].field).toBe('screening-source-0');
    expect(validateScreening([{ indicator: 'abuse', date: TODAY, source: 'x'.repeat(201) }], TODAY).errors[0].field).toBe('screening-source-0');
  });
});

describe('the API answers on the page', () => {
  it('puts a 400 on the field it names, with the field in words', () => {
    const map = { reason: 'override-reason', 'observations[].date': 'screening-date-#', person_id: 'item-child' };
    expect(fieldErrorFromApi(new ApiError(400, 'bad_request', 'reason: 10 to 2000 characters'), map)).toEqual({ field: 'override-reason', message: 'Reason: 10 to 2000 characters' });
    expect(fieldErrorFromApi(new ApiError(400, 'bad_request', 'observations[2].date: a date YYYY-MM-DD is required'), map)).toEqual({ field: 'screening-date-2', message: 'Date: a date YYYY-MM-DD is required' });
    expect(fieldErrorFromApi(new ApiError(400, 'bad_request', 'person_id, place_id: name exactly one'), map)).toEqual({ field: 'item-child', message: 'Person: name exactly one' });
    // A field the page does not have, and a message without a field: the summary alone.
    expect(fieldErrorFromApi(new ApiError(400, 'bad_request', 'level: one of none, at_risk'), map)).toEqual({ field: '', message: 'Level: one of none, at_risk' });
    expect(fieldErrorFromApi(new ApiError(500, 'internal', 'internal error'), map, 'Not saved')).toEqual({ field: '', message: 'Not saved: internal error' });
    expect(fieldErrorFromApi(new TypeError('fetch failed'), map, 'Not saved').message).toBe('Not saved: the service could not be reached');
  });

  it('sends the version read as a strong ETag and explains a conflict politely', () => {
    expect(ifMatch(7)).toBe('"7"');
    expect(conflictMessage(new ApiError(412, 'precondition_failed', 'x'), 'action')).toMatch(/^Someone else changed this action since you opened the page\. Your change was not saved/);
    expect(conflictMessage(new ApiError(428, 'precondition_required', 'x'), 'assessment')).toMatch(/Reload the page and try again/);
    expect(conflictMessage(new ApiError(409, 'conflict', 'the child has no assessment to override: record a screening first'), 'assessment'))
      .toBe('This assessment cannot be changed in its current state: the child has no assessment to override: record a screening first. Reload the page to see it.');
    expect(conflictMessage(new ApiError(400, 'bad_request', 'x'), 'action')).toBeNull();
    expect(conflictMessage(new Error('x'), 'action')).toBeNull();
  });
});

const entry = (over: Partial<TrajectoryEntry>): TrajectoryEntry => ({
  id: 1, date: '2026-01-31', kind: 'pipeline', model_version: 'west-midlands-2026.2', level: 'significant', model_level: 'significant', score: 6,
  override: null, made_by: 'cli:operator', made_at: '2026-01-31T06:00:00Z', next_review: '2026-03-28', review_overdue: false, ...over,
});

describe('the trajectory', () => {
  it('charts the level that counts by date, marking overrides, and tells each assessment in words', () => {
    const t = [entry({}), entry({ id: 14, date: '2026-03-07', kind: 'override', level: 'serious', override: { level: 'serious', reason: 'Disclosed to the school nurse', by: 'wmp-practitioner' }, made_by: 'wmp-practitioner', next_review: '2026-04-04' })];
    expect(trajectoryPoints(t)).toEqual([
      { date: '2026-01-31', rank: 2, label: 'Significant', kind: 'pipeline' },
      { date: '2026-03-07', rank: 3, label: 'Serious', kind: 'override' },
    ]);
    expect(trajectoryRow(t[1])).toEqual(['2026-03-07', 'Override', 'Serious', 'Significant', '6', 'wmp-practitioner', 'Serious by wmp-practitioner: Disclosed to the school nurse', '2026-04-04']);
    expect(trajectoryRow(entry({ next_review: null }))[7]).toBe('None set');
    expect(trajectoryRow(entry({ review_overdue: true }))[7]).toBe('2026-03-28 (overdue)');
  });
});

const child = (over: Partial<CaseloadChild>): CaseloadChild => ({
  child_id: 1, name: 'Amy Synthetic', allocated_to: 'bcc-practitioner', level: 'at_risk', model_level: 'at_risk', override: null,
  assessed_on: '2026-01-31', trend: 'new', next_review: '2026-04-30', review_overdue: false, open_alerts: 0, ...over,
});

describe('the caseload', () => {
  it('lists the highest level first, then the earliest review (none last)', () => {
    const list = [
      child({ child_id: 1, level: 'at_risk', next_review: '2026-03-01' }),
      child({ child_id: 2, level: 'serious', next_review: null }),
      child({ child_id: 3, level: 'serious', next_review: '2026-03-20' }),
      child({ child_id: 4, level: null, next_review: null }),
      child({ child_id: 5, level: 'at_risk', next_review: '2026-02-01' }),
    ];
    expect(sortCaseload(list).map((k) => k.child_id)).toEqual([3, 2, 5, 1, 4]);
  });

  it('says an override, the trend, an overdue review and the alerts in words', () => {
    expect(caseloadRow(child({ level: 'serious', model_level: 'significant', override: { level: 'serious', reason: 'r', by: 'x' }, trend: 'rising', review_overdue: true, open_alerts: 2 })))
      .toEqual({ name: 'Amy Synthetic', override: '(override; model: Significant)', trend: 'Rising', assessed: '2026-01-31', review: '2026-04-30 (overdue)', alerts: '2' });
    expect(caseloadRow(child({ name: '', child_id: 9, trend: null, assessed_on: null, next_review: null }))).toMatchObject({ name: 'Child 9', trend: '—', assessed: 'Never', review: 'None set' });
  });
});

const action = (over: Partial<PracticeAction>): PracticeAction => ({
  id: 1, version: 1, title: 'Return home interview', owner_agency: 'bcc-cs', owner_user: 'bcc-cs-practitioner', due: '2026-03-01', status: 'open', status_reason: '',
  overdue: false, link: { kind: 'child', id: 17 }, created_by: 'bcc-cs-manager', created_agency: 'bcc-cs', created_at: '', updated_at: '', ...over,
});

describe('the actions', () => {
  it('read their filters from the address and apply status and owner over what the API listed', () => {
    expect(parseActionFilter('?status=done&mine=1')).toEqual({ status: 'done', mine: true, overdue: false });
    expect(parseActionFilter('?status=evil&overdue=1')).toEqual({ status: '', mine: false, overdue: true });
    const list = [action({ id: 1 }), action({ id: 2, status: 'done' }), action({ id: 3, owner_user: 'wmp-practitioner', overdue: true })];
    expect(filterActions(list, { status: 'open', mine: false, overdue: false }, 'bcc-cs-practitioner').map((a) => a.id)).toEqual([1, 3]);
    expect(filterActions(list, { status: '', mine: true, overdue: false }, 'bcc-cs-practitioner').map((a) => a.id)).toEqual([1, 2]);
    expect(filterActions(list, { status: '', mine: false, overdue: true }, 'x').map((a) => a.id)).toEqual([3]);
  });

  it('link to the page of what they are for, and need a reason to cancel or reopen', () => {
    expect(linkHref({ kind: 'meeting', id: 4 })).toBe('/mase/4');
    expect(linkHref({ kind: 'child', id: 17 })).toBe('/children/17');
    expect(linkHref({ kind: 'person', id: 5 })).toBeNull();
    expect(statusChangeProblem('open', 'done', '')).toBeNull();
    expect(statusChangeProblem('open', 'open', 'x')).toBe('Select a different status');
    expect(statusChangeProblem('open', 'cancelled', ' ')).toBe('Say why the action is cancelled');
    expect(statusChangeProblem('done', 'open', '')).toBe('Say why the action is reopened');
    expect(statusChangeProblem('done', 'open', 'not done after all')).toBeNull();
  });

  it('need a title, an owner agency and person, and a due date', () => {
    expect(validateAction({ title: 'Return home interview', ownerAgency: 'bcc-cs', ownerUser: 'bcc-cs-practitioner', due: '2026-03-18' })).toEqual([]);
    expect(fields(validateAction({ title: 'ab', ownerAgency: 'BCC CS', ownerUser: ' ', due: '18/03/2026' }))).toEqual(['action-title', 'action-owner-agency', 'action-owner-user', 'action-due']);
  });
});

describe('disruptions, breaches, meetings and notes', () => {
  const order = { kind: 'cawn', personId: '42', placeId: '', issuingAgency: 'wmp', issued: '2026-03-01', expires: '2028-03-01', note: '' };
  it('need a kind, a subject person or place, the issuing agency and dates in order', () => {
    expect(validateDisruption(order, TODAY)).toEqual([]);
    expect(validateDisruption({ ...order, personId: '', placeId: '7' }, TODAY)).toEqual([]);
    expect(fields(validateDisruption({ ...order, kind: 'fine', personId: '', placeId: '' }, TODAY))).toEqual(['disruption-kind', 'disruption-person']);
    expect(fields(validateDisruption({ ...order, personId: '4x', placeId: 'seven' }, TODAY))).toEqual(['disruption-person', 'disruption-place']);
    expect(validateDisruption({ ...order, issued: '2026-03-08' }, TODAY)[0].message).toBe('The issue date cannot be in the future');
    expect(validateDisruption({ ...order, expires: '2026-02-01' }, TODAY)[0].message).toBe('The expiry date cannot be before the issue date');
  });

  it('a breach is dated between the issue and today, and says what happened', () => {
    expect(validateBreach('2026-03-05', 'seen with the child', '2026-03-01', TODAY)).toEqual([]);
    expect(validateBreach('2026-02-28', 'seen with the child', '2026-03-01', TODAY)[0].message).toBe('The breach date cannot be before the order was issued (2026-03-01)');
    expect(fields(validateBreach('2026-03-08', 'no', '2026-03-01', TODAY))).toEqual(['breach-date', 'breach-note']);
  });

  it('a meeting has a district, a date and a chair; a note is not blank', () => {
    expect(validateMeeting({ district: 'Birmingham', date: '2026-03-14', chair: 'bcc-manager', panel: '' })).toEqual([]);
    expect(fields(validateMeeting({ district: 'B', date: 'next week', chair: '', panel: 'x'.repeat(2001) }))).toEqual(['meeting-district', 'meeting-date', 'meeting-chair', 'meeting-panel']);
    expect(noteProblem('  ')).toBe('Enter the note');
    expect(noteProblem('Home visit:\n\tall well')).toBeNull();
    expect(noteProblem('bell\u0007')).toBe('The note cannot contain control characters');
  });
});
