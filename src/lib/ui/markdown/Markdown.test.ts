import { render } from 'svelte/server';
import { describe, expect, test } from 'vitest';
import Markdown from './Markdown.svelte';
import { MarkdownStream } from '../../core/answers/markdown-stream';

/** The server-rendered markup of a streamed answer, without Svelte's hydration comments. */
function rendered(markdown: string, passageCount: number): string {
  const stream = new MarkdownStream();
  for (let at = 0; at < markdown.length; at += 4) stream.append(markdown.slice(at, at + 4));
  return render(Markdown, { props: { blocks: stream.blocks, passageCount } }).body.replace(
    /<!--[^>]*-->/g,
    '',
  );
}

describe('Markdown', () => {
  test('nothing the model writes becomes markup that runs or fetches', () => {
    const body = rendered(
      '<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> and [x](javascript:alert(1)) ' +
        '![p](https://example.org/p.png)\n\n<img src=x onerror=alert(1)>',
      3,
    );
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/<img/i);
    // As text, "onerror=" is harmless; it must never be an attribute of a tag.
    expect(body).not.toMatch(/<[a-z][^>]*\sonerror=/i);
    expect(body).not.toMatch(/href="\s*javascript:/i);
    expect(body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(body).toContain('[image: p]');
    expect(body).toMatch(/and x /);
  });

  test('a citation to a passage is a button; one to no passage is flagged, not clickable', () => {
    const body = rendered('Paid [1], unpaid [2].', 1);
    expect(body).toMatch(
      /<button type="button" class="citation[^"]*" aria-label="Passage 1"[^>]*>\[1\]<\/button>/,
    );
    expect(body).toMatch(
      /<span class="citation invalid[^"]*" title="There is no passage 2" aria-label="Passage 2 does not exist"[^>]*>\[2\]<\/span>/,
    );
    expect(body).not.toMatch(/<button[^>]*>\[2\]/);
  });

  test('links open in a new tab without a referrer', () => {
    expect(rendered('[site](https://example.org)', 0)).toMatch(
      /<a href="https:\/\/example.org\/" target="_blank" rel="noopener noreferrer"[^>]*>site<\/a>/,
    );
  });

  test('code keeps its whitespace and shows markup as text', () => {
    expect(rendered('```html\n<b>raw</b>\n\n  indented\n```', 0)).toMatch(
      /<pre[^>]*><code[^>]*>&lt;b>raw&lt;\/b>\n\n {2}indented<\/code><\/pre>/,
    );
  });
});
