import { render } from 'svelte/server';
import { describe, expect, test } from 'vitest';
import { passageMarkdown, type PassageHighlights } from '../../core/text/passage-markdown';
import PassageBlocks from './PassageBlocks.svelte';

/** The server-rendered markup of a passage, without Svelte's comments and scoping classes. */
function rendered(text: string, highlights: PassageHighlights): string {
  return render(PassageBlocks, { props: { blocks: passageMarkdown(text, highlights) } })
    .body.replace(/<!--[^>]*-->/g, '')
    .replace(/ class="svelte-[\w-]+"/g, '')
    .replace(/ svelte-[\w-]+/g, '');
}

const at = (text: string, word: string): [number, number] => {
  const start = text.indexOf(word);
  return [start, start + word.length];
};

describe('PassageBlocks', () => {
  test('Markdown is drawn, with keywords and evidence marked inside it', () => {
    const text = '### Leave\n\nYou get **30 weeks of parental leave** at full pay.';
    const [start, end] = [text.indexOf('You'), text.length];
    const body = rendered(text, { matches: [at(text, 'parental')], evidence: { start, end } });
    expect(body).not.toContain('###');
    expect(body).not.toContain('**');
    expect(body).toContain('<p class="heading"><strong>Leave</strong></p>');
    expect(body).toMatch(
      /<strong><mark class="evidence" data-testid="evidence">30 weeks of <\/mark><mark class="evidence" data-testid="evidence"><mark>parental<\/mark><\/mark>/,
    );
    // No heading elements: passages do not add to the page's outline.
    expect(body).not.toMatch(/<h\d/);
  });

  test('a list in a passage is drawn as one, but is no list to assistive technology', () => {
    const body = rendered('Steps:\n\n- Press M.\n- Hold 5 seconds.', {
      matches: [],
      evidence: null,
    });
    // Retrieved passages is one list, one item per passage.
    expect(body).toMatch(/<ul role="none"><li role="none">/);
    expect(body).not.toMatch(/<li>/);
  });

  test('a document’s markup stays text', () => {
    const body = rendered('Hi <img src=x onerror=alert(1)> [x](javascript:alert(1))', {
      matches: [],
      evidence: null,
    });
    expect(body).not.toMatch(/<img/i);
    expect(body).not.toMatch(/href="\s*javascript:/i);
    expect(body).toContain('&lt;img src=x onerror=alert(1)>');
  });
});
