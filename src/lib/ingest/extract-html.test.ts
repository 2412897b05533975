import { afterEach, describe, expect, test } from 'vitest';
import { markdownBlocks } from '../core/text/markdown-sections';
import { utf8 } from '../../../test/make-files';
import { declaredCharset, extractHtml } from './extract-html';
import { htmlToMarkdown } from './html-to-markdown';

const flag = globalThis as { pwned?: boolean };

afterEach(() => {
  delete flag.pwned;
});

describe('extractHtml', () => {
  test('keeps visible text and headings; scripts, handlers and hidden text never get in', () => {
    const html = `<!doctype html>
<html><head><title>Leave policy</title>
<style>body { color: red } .x::after { content: "STYLE TEXT" }</style>
<script>globalThis.pwned = true; document.write("SCRIPT TEXT")</script></head>
<body>
<noscript>NOSCRIPT TEXT</noscript>
<h1>Leave</h1>
<p>Employees get <b>31 days</b> of paid&nbsp;leave.<img src="x" onerror="globalThis.pwned = true"></p>
<svg onload="globalThis.pwned = true"><text>SVG TEXT</text></svg>
<template><p>TEMPLATE TEXT</p></template>
<div hidden>HIDDEN TEXT</div><p style="display: none">INVISIBLE TEXT</p>
<a href="javascript:globalThis.pwned = true">Read the full handbook</a>
<script type="module">import "https://evil.example/x.js"</script>
</body></html>`;
    const { text, format, warnings } = extractHtml(utf8(html));
    expect(format).toBe('html');
    expect(warnings).toEqual([]);
    expect(text).toBe('# Leave\n\nEmployees get 31 days of paid leave.\n\nRead the full handbook');
    for (const hidden of [
      'SCRIPT',
      'STYLE',
      'NOSCRIPT',
      'SVG',
      'TEMPLATE',
      'HIDDEN',
      'INVISIBLE',
    ]) {
      expect(text).not.toContain(hidden);
    }
    expect(text).not.toContain('pwned');
    expect(text).not.toContain('evil.example');
    expect(flag.pwned).toBeUndefined();
  });

  test('headings, lists, tables and code become Markdown, so headings drive chunking', () => {
    const { text } = htmlToMarkdown(`
      <h2>Benefits</h2><h3>Parental leave</h3><p>Up to 30 weeks.</p>
      <ul><li>Paid</li><li>Flexible<ol><li>part-time</li></ol></li></ul>
      <table><tr><th>Plan</th><th>Weeks</th></tr><tr><td>A | B</td><td>30</td></tr></table>
      <pre>if (x) {\n  y();\n}</pre>
      <p># 1 priority</p>`);
    expect(text).toBe(
      [
        '## Benefits',
        '### Parental leave',
        'Up to 30 weeks.',
        '- Paid\n- Flexible\n   1. part-time',
        '| Plan | Weeks |\n| --- | --- |\n| A \\| B | 30 |',
        '```\nif (x) {\n  y();\n}\n```',
        '\\# 1 priority',
      ].join('\n\n'),
    );
    const paragraph = markdownBlocks(text).find(
      (b) => text.slice(b.start, b.end) === 'Up to 30 weeks.',
    );
    expect(paragraph?.headingPath).toEqual(['Benefits', 'Parental leave']);
    expect(markdownBlocks(text).filter((b) => b.kind === 'heading')).toHaveLength(2);
  });

  test('the title becomes the first heading when the page has no <h1>', () => {
    expect(htmlToMarkdown('<title>Handbook</title><h2>Leave</h2><p>x</p>').text).toBe(
      '# Handbook\n\n## Leave\n\nx',
    );
    expect(htmlToMarkdown('<title>Page</title><h1>Handbook</h1>').text).toBe('# Handbook');
  });

  test('a layout table is read as blocks, not squeezed into one row', () => {
    const { text } = htmlToMarkdown(
      '<table><tr><td><h2>Menu</h2><ul><li>Home</li></ul></td><td><p>Body text.</p></td></tr></table>',
    );
    expect(text).toBe('## Menu\n\n- Home\n\nBody text.');
  });

  test('malformed HTML still gives its text', () => {
    expect(htmlToMarkdown('<p>One<p>Two<div>Three</span></b>').text).toBe('One\n\nTwo\n\nThree');
    expect(htmlToMarkdown('<p>Unclosed <b>bold').text).toBe('Unclosed bold');
    expect(htmlToMarkdown('<p>a</p><script>never closed; alert(1)').text).toBe('a');
  });

  test('a declared legacy encoding is honoured', () => {
    const head = utf8('<meta charset="windows-1252"><p>caf');
    const bytes = new Uint8Array([...head, 0xe9, ...utf8('</p>')]);
    expect(declaredCharset(bytes)).toBe('windows-1252');
    expect(extractHtml(bytes)).toMatchObject({ text: 'café', warnings: [] });
    expect(
      declaredCharset(utf8('<meta http-equiv="Content-Type" content="text/html; charset=utf-16">')),
    ).toBe('utf-8');
  });
});
