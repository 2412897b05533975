/**
 * Question sets as files: JSONL (one JSON object per line) or CSV with the same columns, read
 * into an EvalQuestion[] and written back.
 *
 * Columns (JSON keys exactly; CSV header names in any case, in any order):
 * - `question` (required): the question's text.
 * - `answer`: a reference answer, shown beside the model's, never scored.
 * - `facts`: what a correct answer must contain, every one. In JSONL a list whose items are a
 *   string or a list of alternative strings (`["30 weeks", ["€60", "60 euros"]]`); in CSV one
 *   field, facts separated by `;` and alternatives by `|` (`30 weeks;€60|60 euros`), so a fact
 *   written in CSV cannot itself hold `;` or `|`.
 * - `source`: the name of the document holding the answer.
 * - `kind`: `answerable` (the default) or `unanswerable` (any case).
 * - `id`: unique in the file; when left out, one is made from the question's text.
 * - `category`: the group the question's results are shown under.
 * - `generated`: `true` when a language model wrote the question.
 * Other keys and columns are ignored, so a spreadsheet with notes of its own imports as it is. An
 * empty CSV field, or `null` in JSON, is the same as leaving the field out. A CSV file needs its
 * header row; its delimiter is the one of `,` `;` tab `|` the header uses most (tab for .tsv).
 *
 * An answerable question must list at least one fact: with none, every answer would count as
 * correct, so such a line is rejected rather than imported unscorable. An unanswerable question
 * has no facts (its right answer is to decline), so facts on one are rejected too: the kind is
 * probably wrong.
 */

import { parseCsv } from '../text/parse-csv';
import {
  questionId,
  type EvalQuestion,
  type Fact,
  type QuestionKind,
  type QuestionSet,
} from './questions';

export type QuestionFileFormat = 'jsonl' | 'csv';

/** One thing wrong in a question file; `line` is 1-based, absent for the file as a whole. */
export interface QuestionProblem {
  line?: number;
  message: string;
}

/**
 * A question file that cannot be imported. The message names the file, the first line that is
 * wrong, what is wrong with it and what to do; `problems` lists every line found wrong, in order.
 */
export class QuestionImportError extends Error {
  override name = 'QuestionImportError';
  /** `then`: what the person does once the file is fixed, to read it again. */
  constructor(
    readonly fileName: string,
    readonly problems: readonly QuestionProblem[],
    then: 'import' | 'reload' = 'import',
  ) {
    super(importErrorMessage(fileName, problems, then));
  }

  /** The first line found wrong, if the problem is not with the file as a whole. */
  get line(): number | undefined {
    return this.problems[0]?.line;
  }
}

/** A question set that cannot be written in the format asked for; the message says why. */
export class QuestionExportError extends Error {
  override name = 'QuestionExportError';
}

/** The columns of a question file, in the order the exports write them. */
export const QUESTION_COLUMNS = [
  'id',
  'question',
  'answer',
  'facts',
  'source',
  'kind',
  'category',
  'generated',
] as const;

type Column = (typeof QUESTION_COLUMNS)[number];

/**
 * The format of a question file: from its name (.jsonl, .ndjson → JSONL; .csv, .tsv → CSV), else
 * from its content (JSONL when the first character that is not white space is `{` or `[`).
 */
export function questionFileFormat(fileName: string, text: string): QuestionFileFormat {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  if (extension === 'csv' || extension === 'tsv') return 'csv';
  return /^\uFEFF?\s*[{[]/.test(text) ? 'jsonl' : 'csv';
}

/**
 * Facts written as one line of text, as in a CSV field or the sample set's **Facts:** lines: `;`
 * between facts, `|` between a fact's alternatives, space around either ignored.
 * `30 weeks;€60 | 60 euros` → [["30 weeks"], ["€60", "60 euros"]]. Empty facts and alternatives
 * (`a;;b`, a `;` at the end) are dropped: in a spreadsheet cell they are slips, not facts.
 */
export function factsFromText(text: string): Fact[] {
  return text
    .split(';')
    .map((fact) =>
      fact
        .split('|')
        .map((alternative) => alternative.trim())
        .filter((alternative) => alternative !== ''),
    )
    .filter((fact) => fact.length > 0);
}

/** The inverse of factsFromText, for facts none of whose alternatives hold `;` or `|`. */
export function factsToText(facts: readonly Fact[]): string {
  return facts.map((fact) => fact.join('|')).join(';');
}

const NO_QUESTIONS =
  'the file holds no questions. Write one question per line: a JSON object per line (JSONL), ' +
  'or a row per question under a header row (CSV).';

/**
 * Reads a question file (its text, a byte order mark allowed) into a set named after the file.
 * Throws QuestionImportError, naming the file and line, when anything in it is wrong: no part of
 * a file is ever returned. `format` defaults to questionFileFormat's guess.
 */
export function importQuestions(
  text: string,
  fileName: string,
  format: QuestionFileFormat = questionFileFormat(fileName, text),
): QuestionSet {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') throw new QuestionImportError(fileName, [{ message: NO_QUESTIONS }]);
  const records =
    format === 'jsonl' ? jsonlRecords(source, fileName) : csvRecords(source, fileName);
  const problems: QuestionProblem[] = [...records.problems];
  const questions: EvalQuestion[] = [];
  const lineOfId = new Map<string, { line: number; made: boolean }>();
  for (const { line, fields } of records.rows) {
    const read = readQuestion(fields);
    if (typeof read === 'string') {
      problems.push({ line, message: read });
      continue;
    }
    const made = read.id === undefined;
    const id = read.id ?? questionId('q', read.question.question);
    const earlier = lineOfId.get(id);
    if (earlier) {
      problems.push({
        line,
        message:
          made && earlier.made
            ? `this is the same question as line ${earlier.line}. Remove one of them, or give ` +
              'each its own “id”.'
            : `the id “${id}” is already the id of line ${earlier.line}. Give each question ` +
              'its own id, or leave “id” empty to have one made from the question.',
      });
      continue;
    }
    lineOfId.set(id, { line, made });
    questions.push({ ...read.question, id });
  }
  if (problems.length > 0) {
    throw new QuestionImportError(
      fileName,
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  }
  if (questions.length === 0) {
    throw new QuestionImportError(fileName, [
      {
        message:
          format === 'csv'
            ? 'the file has a header row but no questions below it. Add one question per row.'
            : NO_QUESTIONS,
      },
    ]);
  }
  return { name: fileName, questions };
}

/**
 * The questions as JSONL, one object per line with the keys in QUESTION_COLUMNS order; a fact
 * with one alternative is written as a string. importQuestions reads it back equal to `questions`
 * for any set it returned (strings trimmed, ids unique, facts as the kind requires).
 */
export function questionsToJsonl(questions: readonly EvalQuestion[]): string {
  return questions
    .map((q) =>
      JSON.stringify({
        id: q.id,
        question: q.question,
        answer: q.answer,
        facts: q.facts.map((fact) => (fact.length === 1 ? fact[0] : fact)),
        source: q.source,
        kind: q.kind,
        category: q.category,
        generated: q.generated,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * The questions as CSV (RFC 4180, CRLF line ends, a header row of QUESTION_COLUMNS), which
 * importQuestions reads back equal. Throws QuestionExportError when a fact holds `;` or `|`,
 * which separate facts and alternatives in CSV: such a set can only be written as JSONL.
 */
export function questionsToCsv(questions: readonly EvalQuestion[]): string {
  const rows = questions.map((q) => {
    for (const fact of q.facts) {
      const bad = fact.find((alternative) => /[;|]/.test(alternative));
      if (bad !== undefined) {
        throw new QuestionExportError(
          `The fact “${bad}” of question ${q.id} holds “;” or “|”, which separate facts and ` +
            'their alternatives in CSV. Export the set as JSONL instead.',
        );
      }
    }
    const cells: Record<Column, string> = {
      id: q.id,
      question: q.question,
      answer: q.answer ?? '',
      facts: factsToText(q.facts),
      source: q.source ?? '',
      kind: q.kind,
      category: q.category ?? '',
      generated: q.generated === undefined ? '' : String(q.generated),
    };
    return QUESTION_COLUMNS.map((column) => csvField(cells[column]));
  });
  return [[...QUESTION_COLUMNS], ...rows].map((row) => `${row.join(',')}\r\n`).join('');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The values of one line, keyed by column; CSV facts already split into lists. */
interface RawRecord {
  line: number;
  fields: Partial<Record<Column, unknown>>;
}

interface Records {
  rows: RawRecord[];
  problems: QuestionProblem[];
}

const EXAMPLE_LINE =
  '{"question": "How many weeks of parental leave do employees get?", "facts": ["30 weeks"]}';

function jsonlRecords(text: string, fileName: string): Records {
  if (text.trimStart().startsWith('[')) {
    throw new QuestionImportError(fileName, [
      {
        message:
          'the file holds a JSON list, but question files are JSONL: one question object ' +
          `per line, such as ${EXAMPLE_LINE}. Write each question on a line of its own.`,
      },
    ]);
  }
  const rows: RawRecord[] = [];
  const problems: QuestionProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const why = error instanceof Error ? ` (${error.message})` : '';
      problems.push({
        line,
        message:
          `this line is not JSON${why}. Each line must be one whole JSON object, such as ` +
          `${EXAMPLE_LINE}.`,
      });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({
        line,
        message:
          `this line is ${describe(value)}, not a JSON object. Each line must be one object, ` +
          `such as ${EXAMPLE_LINE}.`,
      });
      return;
    }
    const object = value as Record<string, unknown>;
    const fields: Partial<Record<Column, unknown>> = {};
    for (const column of QUESTION_COLUMNS) {
      if (Object.hasOwn(object, column) && object[column] !== null) {
        fields[column] = object[column];
      }
    }
    rows.push({ line, fields });
  });
  return { rows, problems };
}

function csvRecords(text: string, fileName: string): Records {
  const tsv = /\.tsv$/i.test(fileName);
  const parsed = parseCsv(text, tsv ? '\t' : undefined);
  if (parsed.unclosedQuoteLine !== undefined) {
    throw new QuestionImportError(fileName, [
      {
        line: parsed.unclosedQuoteLine,
        message:
          'a quoted field opens on this line and is never closed, so the rest of the file ' +
          'would be read as that one field. Close the quote, and write each " inside a ' +
          'quoted field as "".',
      },
    ]);
  }
  const [header, ...body] = parsed.rows;
  if (!header) return { rows: [], problems: [] };
  const headerLine = parsed.lines[0]!;
  const columnAt = new Map<number, Column>();
  const problems: QuestionProblem[] = [];
  header.forEach((name, index) => {
    const column = QUESTION_COLUMNS.find((c) => c === name.trim().toLowerCase());
    if (!column) return;
    if ([...columnAt.values()].includes(column)) {
      problems.push({
        line: headerLine,
        message: `the header names the column “${column}” twice. Keep one.`,
      });
    }
    columnAt.set(index, column);
  });
  if (![...columnAt.values()].includes('question')) {
    throw new QuestionImportError(fileName, [
      {
        line: headerLine,
        message:
          'the header row names no “question” column. The first line must name the columns, ' +
          `such as “${['question', 'answer', 'facts', 'source', 'kind'].join(parsed.delimiter)}”.`,
      },
    ]);
  }
  const textAfterQuote = parsed.textAfterQuoteLine;
  const rows: RawRecord[] = [];
  body.forEach((cells, index) => {
    const line = parsed.lines[index + 1]!;
    const nextLine = parsed.lines[index + 2] ?? Infinity;
    if (cells.every((cell) => cell.trim() === '')) return;
    if (textAfterQuote !== undefined && textAfterQuote >= line && textAfterQuote < nextLine) {
      problems.push({
        line: textAfterQuote,
        message:
          'a quoted field goes on after its closing quote. Inside a quoted field write each " ' +
          'as "", such as "What does ""settling-in"" mean?".',
      });
      return;
    }
    if (cells.slice(header.length).some((cell) => cell.trim() !== '')) {
      const quoting =
        parsed.delimiter === ','
          ? 'A field holding a comma must be in double quotes, such as "Who approves €4,500?".'
          : `A field holding a ${parsed.delimiter === '\t' ? 'tab' : `“${parsed.delimiter}”`} ` +
            'must be in double quotes.';
      problems.push({
        line,
        message:
          `this row has ${cells.length} fields but the header names ${header.length} ` +
          `columns. ${quoting}`,
      });
      return;
    }
    const fields: Partial<Record<Column, unknown>> = {};
    columnAt.forEach((column, at) => {
      const cell = (cells[at] ?? '').trim();
      if (cell === '') return;
      fields[column] =
        column === 'facts' ? factsFromText(cell) : column === 'generated' ? csvBoolean(cell) : cell;
    });
    rows.push({ line, fields });
  });
  return { rows, problems };
}

/** true/false (yes/no, 1/0) in any case; anything else is left as text for readQuestion to reject. */
function csvBoolean(cell: string): boolean | string {
  const value = cell.toLowerCase();
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  return cell;
}

/** A question from one line's fields, its id left out when the line gives none; or what is wrong. */
function readQuestion(
  fields: Partial<Record<Column, unknown>>,
): { question: Omit<EvalQuestion, 'id'>; id?: string } | string {
  const text = (column: Column): string | undefined | { wrong: string } => {
    const value = fields[column];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      return { wrong: `“${column}” must be text, not ${describe(value)}.` };
    }
    return value.trim() === '' ? undefined : value.trim();
  };

  let id: string | undefined;
  if (typeof fields.id === 'number' && Number.isInteger(fields.id)) id = String(fields.id);
  else {
    const value = text('id');
    if (typeof value === 'object') return value.wrong;
    id = value;
  }

  const question = text('question');
  if (typeof question === 'object') return question.wrong;
  if (question === undefined) {
    return 'there is no “question”, or it is empty. Every line needs the question’s text.';
  }

  const optional: Partial<Record<'answer' | 'source' | 'category', string>> = {};
  for (const column of ['answer', 'source', 'category'] as const) {
    const value = text(column);
    if (typeof value === 'object') return value.wrong;
    if (value !== undefined) optional[column] = value;
  }

  let kind: QuestionKind = 'answerable';
  const kindText = text('kind');
  if (typeof kindText === 'object') return kindText.wrong;
  if (kindText !== undefined) {
    const lower = kindText.toLowerCase();
    if (lower !== 'answerable' && lower !== 'unanswerable') {
      return (
        `“kind” is “${kindText}”, but it must be answerable or unanswerable (left out, it is ` +
        'answerable).'
      );
    }
    kind = lower;
  }

  const facts = readFacts(fields.facts);
  if (typeof facts === 'string') return facts;
  if (kind === 'answerable' && facts.length === 0) {
    return (
      'the question has no “facts”, so no answer to it could be scored. List what a correct ' +
      'answer must contain (in CSV: 30 weeks|thirty weeks;full pay), or set “kind” to ' +
      'unanswerable if the documents do not answer it.'
    );
  }
  if (kind === 'unanswerable' && facts.length > 0) {
    return (
      'the question is unanswerable but lists “facts”: its right answer is to decline, so ' +
      'there is nothing to match. Remove the facts, or set “kind” to answerable.'
    );
  }

  const generated = fields.generated;
  if (generated !== undefined && typeof generated !== 'boolean') {
    return `“generated” must be true or false, not ${describe(generated)}.`;
  }

  return {
    id,
    question: {
      question,
      ...(optional.answer === undefined ? {} : { answer: optional.answer }),
      facts,
      ...(optional.source === undefined ? {} : { source: optional.source }),
      kind,
      ...(optional.category === undefined ? {} : { category: optional.category }),
      ...(generated === undefined ? {} : { generated }),
    },
  };
}

const FACTS_SHAPE =
  '“facts” must be a list of strings or of lists of strings (alternatives), such as ' +
  '["30 weeks", ["€60", "60 euros"]]';

function readFacts(value: unknown): Fact[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `${FACTS_SHAPE}, not ${describe(value)}.`;
  const facts: Fact[] = [];
  for (const [index, item] of value.entries()) {
    const alternatives: unknown[] = Array.isArray(item) ? item : [item];
    if (alternatives.length === 0 || !alternatives.every((a) => typeof a === 'string')) {
      return `${FACTS_SHAPE}; fact ${index + 1} is ${describe(item)}.`;
    }
    const trimmed = (alternatives as string[]).map((a) => a.trim());
    if (trimmed.some((a) => a === '')) {
      return (
        `fact ${index + 1} in “facts” is empty, and an empty fact would match every answer. ` +
        'Remove it.'
      );
    }
    facts.push(trimmed);
  }
  return facts;
}

/** What a JSON value is, for a message: `the number 7`, `a list`, `"thirty wee…"`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return value.length > 40 ? `the text "${value.slice(0, 40)}…"` : `the text "${value}"`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

function importErrorMessage(
  fileName: string,
  problems: readonly QuestionProblem[],
  then: 'import' | 'reload',
): string {
  const again = (it: string) => (then === 'import' ? `import ${it} again` : 'reload the page');
  const [first, ...rest] = problems;
  if (!first) return `${fileName} cannot be read.`;
  const whole = first.line === undefined;
  const where = whole ? fileName : `${fileName}, line ${first.line}`;
  const others = [
    ...new Set(rest.map((p) => p.line).filter((l) => l !== undefined && l !== first.line)),
  ];
  if (others.length === 0) {
    return whole
      ? `${where}: ${first.message} Fix the file and ${again('it')}.`
      : `${where}: ${first.message} Fix the line and ${again('the file')}.`;
  }
  const listed = others.slice(0, 10).join(', ') + (others.length > 10 ? ', …' : '');
  return (
    `${where}: ${first.message} ${others.length === 1 ? 'Line' : 'Lines'} ${listed} ` +
    `${others.length === 1 ? 'has' : 'have'} problems too. Fix them and ${again('the file')}.`
  );
}
