import { render } from 'svelte/server';
import { expect, test } from 'vitest';
import { checkSupport, prepareSupport, type SupportPassage } from '../../core/answers/support';
import SupportMarks from './SupportMarks.svelte';

const PASSAGES: SupportPassage[] = [{ number: 1, text: 'Parental leave is 30 weeks at full pay.' }];
const THRESHOLDS = { cosineWeight: 0, detailPenalty: 0, partial: 0.5, supported: 0.8 };

function rendered(answer: string): string {
  const report = checkSupport(prepareSupport('q', answer, PASSAGES), null, THRESHOLDS);
  return render(SupportMarks, {
    props: { text: answer, report, selected: null, onselect: () => {} },
  }).body.replace(/<!--[^>]*-->/g, '');
}

test('each claim is one button named by its mark and sentence; a detail in no passage is marked', () => {
  const body = rendered('Parental leave is 30 weeks at full pay [1]. It started in 2031 [1].');
  const names = [...body.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
  expect(names).toEqual([
    'Supported: Parental leave is 30 weeks at full pay [1].',
    'Not found in the passages: It started in 2031 [1]. (“2031” is in no passage; cites [1], which does not say this)',
  ]);
  expect(body).toMatch(/<mark class="unfound[^"]*"[^>]*>2031<\/mark>/);
  expect(body).toContain('cites [1], which does not say this');
});

test('nothing of the answer becomes markup', () => {
  const body = rendered(
    'Parental leave is 30 weeks <img src=x onerror=alert(1)> at full pay. <script>alert(2)</script> Pay.',
  );
  // With attribute values (quoted, their quotes escaped) set aside: only the marks' own
  // elements, and no event handler attribute.
  const markup = body.replace(/"[^"]*"/g, '""');
  const own = new Set(['div', 'p', 'button', 'span', 'mark']);
  const tags = [...markup.matchAll(/<([a-z][a-z0-9-]*)/gi)].map((m) => m[1]!.toLowerCase());
  expect(tags.filter((tag) => !own.has(tag))).toEqual([]);
  const handlers = [...markup.matchAll(/<[a-z][^<>]*>/gi)].filter((m) => /\son[a-z]+=/i.test(m[0]));
  expect(handlers).toEqual([]);
  expect(body).toContain('&lt;img src=x onerror=alert(1)>');
});
