import { render } from 'svelte/server';
import { describe, expect, test } from 'vitest';
import { MarkdownStream } from '../../core/answers/markdown-stream';
import Markdown from './Markdown.svelte';

function blocksOf(markdown: string) {
  const stream = new MarkdownStream();
  stream.append(markdown);
  return stream.blocks;
}

/** The server-rendered markup, without Svelte's hydration comments. */
function html(markdown: string, passageCount = 3): string {
  return render(Markdown, {
    props: { blocks: blocksOf(markdown), passageCount },
  }).body.replace(/<!--[^>]*-->/g, '');
}

describe('rendered answers', () => {
  test('HTML and scripts from the model are shown as text, never as markup', () => {
    const body = html(
      '<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![p](https://t.co/p.png)\n\n<iframe src="https://evil.example"></iframe>',
    );
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/<img/i);
    expect(body).not.toMatch(/<iframe/i);
    expect(body).not.toMatch(/<[a-z][^<>]*\sonerror=/i);
    expect(body).not.toMatch(/href="javascript:/i);
    expect(body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(body).toContain('[image: p]');
  });

  test('citations to passages are buttons; a number with no passage is flagged', () => {
    const body = html('Thirty weeks [1], paid [4].', 3);
    expect(body).toMatch(/<button[^>]*aria-label="Passage 1"[^>]*>\[1\]<\/button>/);
    expect(body).toMatch(
      /<span[^>]*class="citation invalid[^"]*"[^>]*aria-label="Passage 4 does not exist"/,
    );
    expect(body).not.toMatch(/<button[^>]*>\[4\]/);
  });

  test('markdown structure: lists, emphasis, code, safe links', () => {
    const body = html(
      '- **bold** and *em*\n- `code`\n\n```\n<b>raw</b>\n```\n\n[site](https://example.org)',
    );
    expect(body).toMatch(/<ul>.*<li>.*<strong>bold<\/strong>.*<em>em<\/em>/s);
    expect(body).toMatch(/<pre><code>&lt;b>raw&lt;\/b>/);
    expect(body).toMatch(
      /<a href="https:\/\/example.org\/" target="_blank" rel="noopener noreferrer">site<\/a>/,
    );
  });
});
