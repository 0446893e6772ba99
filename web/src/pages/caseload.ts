// /caseload: the children allocated to the user (a manager: the agency's allocated cases) with the level that
// counts, its trend, the next review and open alerts (GET /api/caseload); every column in words.
import { get } from '../api';
import { el } from '../dom';
import { levelLabel } from '../format';
import { apiProblem, early, levelTag, render, requireSession, setTitle, showNavigation } from '../layout';
import { caseloadRow, sortCaseload } from '../practice';
import { link, nowrap, table } from '../practice_ui';
import type { Caseload } from '../types';

export async function caseloadPage(): Promise<void> {
  const pending = early(get<Caseload>('/api/caseload'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/caseload');
  const title = session.role === 'manager' ? 'Your team’s caseload' : 'Your caseload';
  setTitle(title);
  let c: Caseload;
  try {
    c = await pending;
  } catch (e) {
    return apiProblem(e);
  }
  const overdue = c.children.filter((k) => k.review_overdue).length;
  const alerts = c.children.reduce((n, k) => n + k.open_alerts, 0);
  render(
    el('h1', { class: 'govuk-heading-l' }, title),
    el('p', { class: 'govuk-body-l', id: 'caseload-summary' },
      `${c.children.length} ${c.children.length === 1 ? 'child' : 'children'}; ${overdue} with a review overdue; ${alerts} open ${alerts === 1 ? 'alert' : 'alerts'}.`),
    c.hidden ? el('p', { class: 'govuk-body', id: 'caseload-hidden' }, `${c.hidden} more allocated ${c.hidden === 1 ? 'child is' : 'children are'} not listed: you may see no record of them.`) : null,
    c.children.length === 0
      ? el('p', { class: 'govuk-body', id: 'caseload-table' }, c.scope === 'team' ? 'Nobody in your agency has an allocated case.' : 'You have no allocated cases.')
      : table('caseload-table', 'Highest level first, then the earliest review', ['Child', ...(c.scope === 'team' ? ['Allocated to'] : []), 'Level', 'Trend', 'Assessed', 'Next review', 'Open alerts'],
          sortCaseload(c.children).map((k) => {
            const row = caseloadRow(k);
            return [link(`/children/${k.child_id}`, row.name), ...(c.scope === 'team' ? [k.allocated_to] : []),
              k.level ? [levelTag(k.level, levelLabel(k.level)), row.override ? ` ${row.override}` : ''] : 'Not screened',
              row.trend, nowrap(row.assessed), nowrap(row.review), row.alerts];
          }), [c.scope === 'team' ? 6 : 5]),
    el('p', { class: 'govuk-body' }, link('/alerts', 'Your alerts'), ' · ', link('/actions?mine=1', 'Your actions')),
  );
}
