import { Parser } from 'htmlparser2';

/**
 * The visible text of an HTML document (or of mammoth's HTML for a .docx) as Markdown, so that
 * its headings, lists and tables drive chunking like any Markdown file's. The HTML is tokenized,
 * never turned into a DOM: nothing in it is run, loaded or rendered. Scripts, styles, templates,
 * `<noscript>`, the `<head>` (but its title), embedded SVG, MathML and frames, and elements marked
 * hidden are left out; so are attributes, event handlers included. Links keep their text only.
 *
 * `title` is the document's `<title>`; it becomes the first heading when there is no `<h1>`.
 */
export function htmlToMarkdown(html: string): { text: string; title: string } {
  const converter = new Converter();
  const parser = new Parser(converter, { decodeEntities: true, lowerCaseTags: true });
  parser.end(html);
  return converter.finish();
}

/** Elements whose content is never visible text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'select',
  'datalist',
  'audio',
  'video',
  'button',
]);

/** Elements that end the paragraph before them and start a new one. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hgroup',
  'hr',
  'html',
  'legend',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'ul',
]);

const HEADING = /^h([1-6])$/;

function isHidden(attributes: Record<string, string>): boolean {
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  const style = attributes['style']?.toLowerCase().replace(/\s+/g, '') ?? '';
  return style.includes('display:none') || style.includes('visibility:hidden');
}

interface List {
  ordered: boolean;
  next: number;
}

/**
 * A table being read. A data table becomes a Markdown table, one line per row; a table whose cells
 * hold headings, lists or other tables is a layout table, and its cells are read as blocks.
 */
interface Table {
  layout: boolean;
  rows: string[][];
  row: string[] | null;
  /** The cell being read, null between cells. */
  cell: string | null;
}

/** Elements that make the table they appear in a layout table. */
const LAYOUT = new Set(['table', 'ul', 'ol', 'pre', 'blockquote', 'form', 'dl']);

class Converter {
  private readonly blocks: string[] = [];
  /** For each of `blocks`, the outermost list it is an item of, or 0: the items of one list are
   * joined by one line break, not two. */
  private readonly listOf: number[] = [];
  private listCount = 0;
  /** Open elements, innermost last; `skipping` counts those that hide their content. */
  private readonly open: { name: string; skips: boolean }[] = [];
  private skipping = 0;
  private inline = '';
  private heading = 0;
  private pre = 0;
  private quote = 0;
  private readonly lists: List[] = [];
  private listPrefix = '';
  private readonly tables: Table[] = [];
  private title = '';
  private inTitle = false;
  private hasH1 = false;

  onopentag(name: string, attributes: Record<string, string>): void {
    const parent = this.open[this.open.length - 1]?.name;
    if (name === 'title' && (parent === undefined || parent === 'head' || parent === 'html')) {
      this.inTitle = true;
    }
    const skips = SKIPPED.has(name) || isHidden(attributes);
    this.open.push({ name, skips });
    if (skips) this.skipping++;
    if (this.skipping > 0) return;

    const table = this.tables[this.tables.length - 1];
    if (table?.cell != null) {
      if (LAYOUT.has(name) || HEADING.test(name)) this.becomeLayout(table);
      else {
        // Inside a data table's cell everything is inline: the row is one line.
        if (name === 'br' || BLOCKS.has(name)) table.cell += ' ';
        return;
      }
    }
    const level = HEADING.exec(name)?.[1];
    if (level) {
      this.flush();
      this.heading = Number(level);
      return;
    }
    switch (name) {
      case 'br':
        this.inline += '\n';
        return;
      case 'pre':
        this.flush();
        this.pre++;
        return;
      case 'blockquote':
        this.flush();
        this.quote++;
        return;
      case 'ul':
      case 'ol':
        this.flush();
        if (this.lists.length === 0) this.listCount++;
        this.lists.push({ ordered: name === 'ol', next: Number(attributes['start'] ?? 1) || 1 });
        return;
      case 'li': {
        this.flush();
        const list = this.lists[this.lists.length - 1];
        const indent = '   '.repeat(Math.max(0, this.lists.length - 1));
        this.listPrefix = indent + (list?.ordered ? `${list.next++}. ` : '- ');
        return;
      }
      case 'table':
        this.flush();
        this.tables.push({ layout: false, rows: [], row: null, cell: null });
        return;
      case 'tr':
      case 'td':
      case 'th':
        if (!table || table.layout) this.flush();
        else if (name === 'tr') table.row = [];
        else {
          table.row ??= [];
          table.cell = '';
        }
        return;
    }
    if (BLOCKS.has(name)) this.flush();
  }

  ontext(text: string): void {
    if (this.inTitle) {
      this.title += text;
      return;
    }
    if (this.skipping > 0) return;
    const table = this.tables[this.tables.length - 1];
    if (table?.cell != null) table.cell += text;
    else if (this.pre > 0) this.inline += text;
    else this.inline += text.replace(/\s+/g, ' ');
  }

  onclosetag(name: string): void {
    const element = this.open.pop();
    if (name === 'title') this.inTitle = false;
    if (element?.skips) {
      this.skipping--;
      return;
    }
    if (this.skipping > 0) return;

    const table = this.tables[this.tables.length - 1];
    if (table && !table.layout) {
      if ((name === 'td' || name === 'th') && table.cell != null) {
        table.row?.push(table.cell.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|'));
        table.cell = null;
        return;
      }
      if (table.cell != null) return;
      if (name === 'tr') {
        if (table.row?.some((cell) => cell !== '')) table.rows.push(table.row);
        table.row = null;
        return;
      }
    }
    if (table && name === 'table') {
      this.tables.pop();
      if (table.layout) this.flush();
      else this.pushTable(table.rows);
      return;
    }
    if (HEADING.test(name)) {
      const text = this.inline.replace(/\s+/g, ' ').trim();
      this.inline = '';
      if (text) {
        if (this.heading === 1) this.hasH1 = true;
        this.push(`${'#'.repeat(this.heading || 1)} ${text}`);
      }
      this.heading = 0;
      return;
    }
    switch (name) {
      case 'pre':
        this.flushPre();
        this.pre = Math.max(0, this.pre - 1);
        return;
      case 'blockquote':
        this.flush();
        this.quote = Math.max(0, this.quote - 1);
        return;
      case 'ul':
      case 'ol':
        this.flush();
        this.lists.pop();
        return;
    }
    if (BLOCKS.has(name) || name === 'tr' || name === 'td' || name === 'th') this.flush();
  }

  /** The rows read so far stay a table; the cells from here on are read as blocks. */
  private becomeLayout(table: Table): void {
    table.layout = true;
    this.pushTable(table.rows);
    for (const cell of table.row ?? []) {
      this.inline = cell;
      this.flush();
    }
    this.inline = table.cell ?? '';
    this.flush();
    table.rows = [];
    table.row = null;
    table.cell = null;
  }

  /** Ends the paragraph (or list item) being collected. */
  private flush(): void {
    if (this.pre > 0) return;
    const lines = this.inline
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    this.inline = '';
    if (lines.length === 0) return;
    const prefix = this.listPrefix;
    this.listPrefix = '';
    const continuation = ' '.repeat(prefix.length);
    let text = lines.map((line, i) => (i === 0 ? prefix : continuation) + escapeStart(line));
    if (this.quote > 0) text = text.map((line) => `> ${line}`);
    this.push(text.join('\n'), prefix === '' ? 0 : this.listCount);
  }

  private push(block: string, list = 0): void {
    this.blocks.push(block);
    this.listOf.push(list);
  }

  private flushPre(): void {
    const code = this.inline.replace(/^\n/, '').trimEnd();
    this.inline = '';
    if (code.trim() === '') return;
    const longestFence = Math.max(2, ...(code.match(/`{3,}/g) ?? []).map((f) => f.length));
    const fence = '`'.repeat(longestFence + 1);
    this.push(`${fence}\n${code}\n${fence}`);
  }

  /** A GFM table: the first row is its header, as in most HTML tables. */
  private pushTable(rows: string[][]): void {
    if (rows.length === 0) return;
    const width = Math.max(...rows.map((row) => row.length));
    const line = (row: string[]) =>
      `| ${Array.from({ length: width }, (_, i) => row[i] ?? '').join(' | ')} |`;
    const [header, ...body] = rows;
    const delimiter = `| ${Array.from({ length: width }, () => '---').join(' | ')} |`;
    this.push([line(header ?? []), delimiter, ...body.map(line)].join('\n'));
  }

  finish(): { text: string; title: string } {
    this.flush();
    const title = this.title.replace(/\s+/g, ' ').trim();
    let text = !this.hasH1 && title ? `# ${title}` : '';
    this.blocks.forEach((block, i) => {
      const tight = i > 0 && this.listOf[i] !== 0 && this.listOf[i] === this.listOf[i - 1];
      text += (text === '' ? '' : tight ? '\n' : '\n\n') + block;
    });
    return { text, title };
  }
}

/**
 * A paragraph that happens to start like Markdown structure (`# 1 priority`, `> 5 days`, `1.`)
 * would be read as a heading, quote or list; a backslash keeps it a paragraph, as in Markdown.
 */
function escapeStart(line: string): string {
  return /^(?:#{1,6}(?:\s|$)|>|[-+*]\s|\d{1,9}[.)]\s|```|~~~|\|)/.test(line) ? `\\${line}` : line;
}
