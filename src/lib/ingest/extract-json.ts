import { messageOf } from '../core/text/format';
import { decodeText, decodingWarnings } from './decode-text';
import { CorruptDocumentError, NoTextError } from './errors';
import type { Extraction } from './extraction';

/** Deeper values are left out (with a warning): real data is never this deep. */
const MAX_DEPTH = 64;

/**
 * A JSON file as `key: value` lines, one block per record, so every chunk keeps the keys of the
 * values it holds. An array of objects is a list of records, wherever it is: each element becomes
 * a block titled "Record 3" (top level) or "employees 3", its nested keys joined with dots
 * (`address.city: Lyon`) and its nested arrays indexed (`phones[0].type: work`). Everything else
 * is one block of lines with full paths. Arrays of plain values are one line: `tags: a, b, c`.
 * JSON Lines (.jsonl, .ndjson) reads each line as a record.
 */
export function extractJson(bytes: Uint8Array, name: string): Extraction {
  const decoded = decodeText(bytes);
  const source = decoded.text;
  const renderer = new Renderer();
  if (/\.(?:jsonl|ndjson)$/i.test(name)) {
    source.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      renderer.record(`Line ${i + 1}`, parse(line, name, `line ${i + 1}: `));
    });
  } else {
    renderer.walk(parse(source, name, ''), '', 0);
  }
  const text = renderer.text();
  const warnings = decodingWarnings(decoded);
  if (renderer.tooDeep) {
    // Every value left out is not "no values": say why there is nothing to search.
    if (text.trim() === '') {
      throw new NoTextError(
        name,
        `“${name}” holds its values only more than ${MAX_DEPTH} levels deep, deeper than ` +
          'Grounded reads JSON, so none were read and there is nothing to search. Flatten the ' +
          'nesting, or rename the file to end in .txt to add it as plain text.',
      );
    }
    warnings.push(`Values nested more than ${MAX_DEPTH} levels deep were left out.`);
  }
  return { text, format: 'json', warnings };
}

function parse(json: string, name: string, where: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    const detail = parseProblem(error);
    throw new CorruptDocumentError(
      name,
      `“${name}” is not valid JSON (${where}${detail}). Fix the file, or rename it to end in ` +
        '.txt to add it as plain text.',
    );
  }
}

/**
 * V8's reason without the quoted piece of the file it sometimes includes (`Unexpected token '}',
 * "{"a": …" is not valid JSON`), which may be long or span lines.
 */
function parseProblem(error: unknown): string {
  const message = messageOf(error);
  const reason = /^(.*?), ".*" is not valid JSON$/s.exec(message)?.[1] ?? message;
  const oneLine = reason.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

class Renderer {
  private readonly top: string[] = [];
  private readonly blocks: string[] = [];
  tooDeep = false;

  /** Outside records: arrays of objects become records, everything else lines with full paths. */
  walk(value: unknown, path: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.tooDeep = true;
      return;
    }
    if (Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      value.forEach((item, i) => this.record(`${path || 'Record'} ${i + 1}`, item, depth + 1));
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value))
        this.walk(child, join(path, key), depth + 1);
    } else {
      this.lines(value, path || 'value', this.top, depth);
    }
  }

  record(title: string, value: unknown, depth = 0): void {
    const lines = [title];
    this.lines(value, isObject(value) ? '' : 'value', lines, depth);
    if (lines.length > 1) this.blocks.push(lines.join('\n'));
  }

  /** `value` under `path` as `path: value` lines. */
  private lines(value: unknown, path: string, out: string[], depth: number): void {
    if (depth > MAX_DEPTH) {
      this.tooDeep = true;
      return;
    }
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        this.lines(child, join(path, key), out, depth + 1);
      }
    } else if (Array.isArray(value)) {
      if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
        const values = value.map(scalar).filter((v) => v !== '');
        if (values.length > 0) out.push(`${path}: ${values.join(', ')}`);
      } else {
        value.forEach((item, i) => this.lines(item, `${path}[${i}]`, out, depth + 1));
      }
    } else {
      const text = scalar(value);
      if (text !== '') out.push(`${path}: ${text}`);
    }
  }

  text(): string {
    const blocks = this.top.length > 0 ? [this.top.join('\n'), ...this.blocks] : this.blocks;
    return blocks.join('\n\n');
  }
}

/** A value on one line: a record's lines are its fields. */
function scalar(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\s+/g, ' ').trim();
  return String(value);
}
