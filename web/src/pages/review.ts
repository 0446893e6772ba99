// /review and /review/{id}: possible matches the linker was unsure about; each side by side with the
// match-weight waterfall, confirmed or rejected with a reason (POST with If-Match: the version read).
import { ApiError, get, post, request } from '../api';
import { drawChart } from '../chart';
import { el } from '../dom';
import { formatProbability, formatWeight, humanise, reasonProblem, REVIEW_FIELDS, sameValue, waterfallBars } from '../format';
import { apiProblem, early, formGroup, problemPage, render, requireSession, setFieldError, setTitle, showErrors, showNavigation } from '../layout';
import type { ReviewItem, ReviewList } from '../types';

export async function reviewListPage(): Promise<void> {
  const pending = early(get<ReviewList>('/api/review?limit=50'));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/review');
  setTitle('Review possible matches');
  let list: ReviewList;
  try {
    list = await pending;
  } catch (e) {
    return apiProblem(e);
  }
  const intro = el('p', { class: 'govuk-body-l' },
    `${list.pending_total.toLocaleString('en-GB')} possible matches await a decision across the partnership; you may see ${list.visible_pending.toLocaleString('en-GB')} of them (both records within your rights).`);
  if (list.aggregate_only || !list.items) {
    return void render(el('h1', { class: 'govuk-heading-l' }, 'Review possible matches'), intro,
      el('p', { class: 'govuk-body' }, 'Your role sees the size of the queue only.'));
  }
  render(
    el('h1', { class: 'govuk-heading-l' }, 'Review possible matches'),
    intro,
    list.items.length === 0
      ? el('p', { class: 'govuk-body' }, 'There is nothing for you to review.')
      : el('table', { class: 'govuk-table', id: 'review-table' },
          el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'Most uncertain first'),
          el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
            ['Match', 'First record', 'Second record', 'Probability'].map((h) => el('th', { scope: 'col', class: 'govuk-table__header' }, h)))),
          el('tbody', { class: 'govuk-table__body' }, list.items.map((i) =>
            el('tr', { class: 'govuk-table__row' },
              el('td', { class: 'govuk-table__cell' }, el('a', { class: 'govuk-link', href: `/review/${i.id}` }, `Review match ${i.id}`)),
              el('td', { class: 'govuk-table__cell' }, `${i.left.name || 'no name'}, ${i.left.dob ?? 'no date of birth'} (${i.left.agency})`),
              el('td', { class: 'govuk-table__cell' }, `${i.right.name || 'no name'}, ${i.right.dob ?? 'no date of birth'} (${i.right.agency})`),
              el('td', { class: 'govuk-table__cell' }, formatProbability(i.match_probability)),
            ))),
        ),
  );
}

function sideBySide(item: ReviewItem): HTMLElement {
  return el('table', { class: 'govuk-table rr-side-by-side', id: 'side-by-side' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' }, 'The two records side by side'),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      el('th', { scope: 'col', class: 'govuk-table__header' }, 'Field'),
      el('th', { scope: 'col', class: 'govuk-table__header' }, 'First record'),
      el('th', { scope: 'col', class: 'govuk-table__header' }, 'Second record'))),
    el('tbody', { class: 'govuk-table__body' }, REVIEW_FIELDS.map(([field, label]) => {
      const same = sameValue(item.left[field], item.right[field]);
      const show = (v: unknown) => (v === null || v === undefined || v === '' ? 'not recorded' : String(v));
      return el('tr', { class: 'govuk-table__row' },
        el('th', { scope: 'row', class: 'govuk-table__header' }, label),
        el('td', { class: `govuk-table__cell${same ? '' : ' rr-differs'}` }, show(item.left[field])),
        el('td', { class: `govuk-table__cell${same ? '' : ' rr-differs'}` }, show(item.right[field]), same ? null : el('span', { class: 'govuk-visually-hidden' }, ' (differs)')),
      );
    })),
  );
}

function waterfall(item: ReviewItem): HTMLElement[] {
  const ex = item.explanation;
  if (!ex) return [el('p', { class: 'govuk-body' }, 'No linkage run has scored this pair yet, so there is no waterfall.')];
  const canvas = el('canvas', { id: 'waterfall-chart', role: 'img', 'aria-label': 'Waterfall chart of the match weight, field by field; the table gives the same figures.' });
  const table = el('table', { class: 'govuk-table', id: 'waterfall-table' },
    el('caption', { class: 'govuk-table__caption govuk-table__caption--m' },
      `How the match weight adds up: ${formatWeight(ex.match_weight)}, a probability of ${formatProbability(ex.match_probability)}`),
    el('thead', { class: 'govuk-table__head' }, el('tr', { class: 'govuk-table__row' },
      ['Field', 'Comparison', 'Weight', 'Running total'].map((h, i) => el('th', { scope: 'col', class: `govuk-table__header${i >= 2 ? ' govuk-table__header--numeric' : ''}` }, h)))),
    el('tbody', { class: 'govuk-table__body' }, ex.steps.map((s) =>
      el('tr', { class: 'govuk-table__row' },
        el('th', { scope: 'row', class: 'govuk-table__header' }, humanise(s.field)),
        el('td', { class: 'govuk-table__cell' }, s.level ? humanise(s.level) : '—'),
        el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, formatWeight(s.weight), s.weight >= 0 ? ' (for)' : ' (against)'),
        el('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, formatWeight(s.cumulative)),
      ))),
  );
  const bars = waterfallBars(ex.steps);
  queueMicrotask(() =>
    drawChart(canvas, {
      type: 'bar',
      data: {
        labels: bars.map((b) => humanise(b.label)),
        datasets: [{
          label: 'Match weight',
          data: bars.map((b) => [b.from, b.to] as [number, number]),
          backgroundColor: bars.map((b) => (b.to >= b.from ? '#00703c' : '#d4351c')),
          borderColor: '#0b0c0c',
          borderWidth: 1,
        }],
      },
      // No legend: one series, coloured by direction (green for, red against) and told in the table's words.
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
    }),
  );
  return [el('div', { class: 'rr-chart rr-chart--small' }, canvas), table];
}

export async function reviewItemPage(id: string): Promise<void> {
  const pending = early(request<ReviewItem>('GET', `/api/review/${id}`));
  const session = await requireSession();
  if (!session) return;
  showNavigation(session, '/review');
  let item: ReviewItem;
  let etag: string | null;
  try {
    ({ data: item, etag } = await pending);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return problemPage('There is no match you can review with this number',
        el('p', { class: 'govuk-body' }, 'It has been decided, replaced by a newer linkage run, or one of its records is outside your rights.'),
        el('a', { class: 'govuk-link', href: '/review' }, 'Back to the review queue'));
    }
    return apiProblem(e);
  }
  setTitle(`Review match ${item.id}`);
  const errors = el('div', {});
  const decided = item.status !== 'pending';
  const reason = el('textarea', { class: 'govuk-textarea', id: 'decision-reason', name: 'reason', rows: '3' });
  const radios = el('div', { class: 'govuk-radios', 'data-module': 'govuk-radios', id: 'decision' },
    [['confirm', 'Same person: confirm the match'], ['reject', 'Different people: reject the match']].map(([value, label]) =>
      el('div', { class: 'govuk-radios__item' },
        el('input', { class: 'govuk-radios__input', id: `decision-${value}`, name: 'decision', type: 'radio', value }),
        el('label', { class: 'govuk-label govuk-radios__label', for: `decision-${value}` }, label))));
  const form = el('form', { novalidate: true, id: 'decision-form' },
    el('div', { class: 'govuk-form-group', id: 'decision-group' },
      el('fieldset', { class: 'govuk-fieldset' },
        el('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--m' }, 'Your decision'),
        el('p', { class: 'govuk-error-message', id: 'decision-error', hidden: true }),
        radios)),
    formGroup('decision-reason', 'Reason', reason, 'What you checked, for example “same date of birth and school; confirmed with the school”. At least 10 characters.'),
    el('button', { type: 'submit', class: 'govuk-button' }, 'Record decision'),
  );
  render(
    errors,
    el('a', { class: 'govuk-back-link', href: '/review' }, 'Back to the review queue'),
    el('h1', { class: 'govuk-heading-l' }, `Possible match ${item.id}`),
    el('p', { class: 'govuk-body-l' }, `The linker gave a match weight of ${formatWeight(item.match_weight)} (probability ${formatProbability(item.match_probability)}): not sure enough to decide alone.`),
    decided
      ? el('div', { class: 'govuk-inset-text', id: 'decision-status' }, `${humanise(item.status)} by ${item.decided_by} on ${item.decided_at ?? ''}: ${item.reason}`)
      : null,
    sideBySide(item),
    el('h2', { class: 'govuk-heading-m' }, 'Why the linker scored it so'),
    el('p', { class: 'govuk-body' }, 'Each field moves the weight up (evidence for the same person) or down (against), starting from how rare a match is.'),
    ...waterfall(item),
    decided ? null : form,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const choice = (form.querySelector('input[name="decision"]:checked') as HTMLInputElement | null)?.value;
    const problems = [];
    const decisionSlot = document.getElementById('decision-error');
    document.getElementById('decision-group')?.classList.toggle('govuk-form-group--error', !choice);
    if (decisionSlot) {
      decisionSlot.hidden = !!choice;
      decisionSlot.textContent = choice ? '' : 'Select whether the records are the same person';
    }
    if (!choice) problems.push({ field: 'decision-confirm', message: 'Select whether the records are the same person' });
    const rp = reasonProblem(reason.value);
    setFieldError('decision-reason', rp);
    if (rp) problems.push({ field: 'decision-reason', message: rp });
    if (problems.length) return showErrors(errors, problems);
    try {
      const { data } = await post<ReviewItem>(`/api/review/${id}/decision`, { decision: choice, reason: reason.value.trim() }, { 'If-Match': etag ?? '' });
      render(
        el('div', { class: 'govuk-panel govuk-panel--confirmation', id: 'decision-done' },
          el('h1', { class: 'govuk-panel__title' }, data.status === 'confirmed' ? 'Match confirmed' : 'Match rejected'),
          el('div', { class: 'govuk-panel__body' }, 'Every later linkage run keeps your decision.')),
        el('p', { class: 'govuk-body' }, el('a', { class: 'govuk-link', href: '/review' }, 'Back to the review queue')),
      );
    } catch (e) {
      let message = e instanceof ApiError ? e.message : 'the decision was not recorded';
      if (e instanceof ApiError && e.status === 412) message = 'Someone else changed this match since you opened it. Reload the page to see its current state.';
      if (e instanceof ApiError && e.status === 409) message = 'This match has already been decided. Reload the page to see the decision.';
      showErrors(errors, [{ field: '', message }]);
    }
  });
}
