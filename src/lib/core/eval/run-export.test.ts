import { describe, expect, it } from 'vitest';
import { Marked } from 'marked';
import {
  CSV_COLUMNS,
  RunFileError,
  parseRunJson,
  runFileName,
  runToCsv,
  runToJson,
  runToMarkdown,
  supportCoverage,
  supportLine,
} from './run-export';
import type { EvalRun } from './run';
import { SCORING_METHOD, scoreRun } from './scoring';
import {
  CHECKED_RUN,
  EXPENSES,
  QUESTIONS,
  RESULTS,
  RUN,
  answer,
  passage,
  result,
  support,
} from './run-fixture';

/** Answers as models write them: Markdown lists, quotes, commas, pipes, HTML, formulas. */
const AWKWARD_GROUNDED =
  '- **30 weeks**, at "full basic pay" [1]\n- up to three blocks | before the 2nd birthday\r\n\nC:\\Leave\\ <script>alert(1)</script>';
const AWKWARD_UNGROUNDED = '=HYPERLINK("http://example.com", "12 weeks")';
const AWKWARD: EvalRun = {
  ...RUN,
  id: 'run-awkward',
  cancelled: true,
  questionSet: {
    name: 'Tricky | "quoted", set',
    questions: [
      {
        ...QUESTIONS[0]!,
        question: 'Weeks of leave, "paid" | unpaid?\nAsk HR.',
        answer: '30 weeks, full pay',
      },
      ...QUESTIONS.slice(1),
    ],
  },
  results: [
    result(
      'leave',
      [passage('employee-handbook.md', 4, 'Text, with "quotes"\nand lines.')],
      answer(AWKWARD_GROUNDED, { end: 'length' }),
      answer(AWKWARD_UNGROUNDED, { firstTokenMs: null, tokensPerSecond: null }),
    ),
    RESULTS[3]!,
  ],
};
delete AWKWARD.finishedAt;

/** An RFC 4180 reader, written independently of the writer. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      rows.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || fields.length > 0) throw new Error('The CSV does not end with CRLF.');
  return rows;
}

describe('runToJson and parseRunJson', () => {
  it('gives the run back equal', () => {
    expect(parseRunJson(runToJson(RUN), 'run.json')).toEqual(RUN);
    const awkward = parseRunJson(runToJson(AWKWARD), 'run.json');
    expect(awkward).toEqual(AWKWARD);
    expect('finishedAt' in awkward).toBe(false);
  });

  it('holds the scores a reader of the file looks for, with the summary the CLI reports', () => {
    const file = JSON.parse(runToJson(RUN)) as Record<string, unknown>;
    expect(file.summary).toEqual(scoreRun(RUN).summary);
    expect(file.summary).toMatchObject({
      questions: 5,
      answerable: 3,
      groundedCorrect: 3,
      ungroundedCorrect: 0,
      unanswerable: 2,
      groundedAbstained: 2,
      ungroundedAbstained: 1,
      sourceHitAtK: 2,
      k: 3,
      mrr: 0.5,
    });
    expect(file.scoringMethod).toBe(SCORING_METHOD);
    expect(file.questions).toHaveLength(5);
    expect(JSON.parse(runToJson(AWKWARD)).notAsked).toEqual(['meals', 'approver', 'p9']);
  });

  it('keeps each answer’s support, and still reads runs exported before answers were checked', () => {
    const checked = parseRunJson(runToJson(CHECKED_RUN), 'run.json');
    expect(checked).toEqual(CHECKED_RUN);
    expect(checked.results[0]!.grounded.support).toMatchObject({ supported: 1 });
    expect(checked.results[1]!.ungrounded.support).toBeUndefined();
    const file = JSON.parse(runToJson(CHECKED_RUN)) as {
      summary: Record<string, number>;
      questions: Record<string, unknown>[];
    };
    expect(file.summary).toMatchObject({
      groundedAnswersChecked: 5,
      ungroundedAnswersChecked: 4,
      groundedSentencesSupported: 2,
      groundedSentencesChecked: 3,
      groundedCitationsHolding: 2,
      groundedCitationsChecked: 3,
    });
    expect(file.questions[1]).toMatchObject({
      groundedSentencesPartial: 1,
      groundedDetailsInNoPassage: 1,
      ungroundedSentencesChecked: null,
    });
    // RUN has no support at all, as runs kept from before the check.
    expect(RUN.results.every((r) => !('support' in r.grounded))).toBe(true);
    expect(parseRunJson(runToJson(RUN), 'old.json')).toEqual(RUN);
  });

  it('reads a file saved with a byte-order mark', () => {
    expect(parseRunJson(`\uFEFF${runToJson(RUN)}`, 'run.json')).toEqual(RUN);
  });

  it('refuses what is not JSON, naming the file and what to do', () => {
    expect(() => parseRunJson('{"format": ', 'notes.json')).toThrow(
      /^“notes\.json” is not JSON \(.+\)\. Choose a run exported from Grounded's Evaluation panel\.$/,
    );
    expect(() => parseRunJson('{"format": ', 'notes.json')).toThrow(RunFileError);
  });

  it('refuses JSON that is not a run', () => {
    expect(() => parseRunJson('[1, 2]', 'list.json')).toThrow(
      '“list.json” is not a Grounded evaluation run.',
    );
    expect(() => parseRunJson('{"questions": []}', 'set.json')).toThrow(
      '“set.json” is not a Grounded evaluation run.',
    );
  });

  it('refuses a run from a newer version, saying to update', () => {
    const newer = runToJson(RUN).replace('"version": 1', '"version": 2');
    expect(() => parseRunJson(newer, 'run.json')).toThrow(
      '“run.json” was written by a newer version of Grounded (run format 2). Open it in an up-to-date Grounded.',
    );
  });

  it('names the damaged field', () => {
    const file = JSON.parse(runToJson(RUN));
    file.run.results[1].grounded.text = 42;
    expect(() => parseRunJson(JSON.stringify(file), 'run.json')).toThrow(
      '“run.json” is damaged: run.results[1].grounded.text is not text. Export the run from Grounded again.',
    );
    file.run.results[1].grounded.text = 'Fine.';
    file.run.results[0].ungrounded.support = { ...support({}), supported: -1 };
    expect(() => parseRunJson(JSON.stringify(file), 'run.json')).toThrow(
      'run.results[0].ungrounded.support.supported is not a whole number',
    );
    delete file.run.settings.retrieval;
    expect(() => parseRunJson(JSON.stringify(file), 'run.json')).toThrow(
      'run.settings.retrieval is not an object',
    );
  });

  it('refuses a run whose results do not belong to its questions', () => {
    const file = JSON.parse(runToJson(RUN));
    file.run.results[0].questionId = 'gone';
    expect(() => parseRunJson(JSON.stringify(file), 'run.json')).toThrow(
      '“run.json” does not hold a consistent run: A result names question “gone”, which is not in the set. Export the run from Grounded again.',
    );
  });
});

describe('runToCsv', () => {
  it('has a header and one row per question asked, every field read back as written', () => {
    const csv = runToCsv(AWKWARD);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = readCsv(csv.slice(1));
    expect(header).toHaveLength(CSV_COLUMNS.length);
    expect(header!.slice(0, 6)).toEqual(['id', 'category', 'kind', 'question', 'answer', 'facts']);
    expect(rows).toHaveLength(2);
    const leave = Object.fromEntries(header!.map((column, i) => [column, rows[0]![i]]));
    expect(leave.question).toBe('Weeks of leave, "paid" | unpaid?\nAsk HR.');
    expect(leave.answer).toBe('30 weeks, full pay');
    expect(leave.grounded_answer).toBe(`'${AWKWARD_GROUNDED}`);
    expect(leave.grounded_end).toBe('length');
    expect(leave.ungrounded_answer).toBe(`'${AWKWARD_UNGROUNDED}`);
  });

  it('quotes fields with commas, quotes and line breaks, doubling quotes, and ends lines with CRLF', () => {
    const csv = runToCsv(AWKWARD);
    expect(csv).toContain(',"Weeks of leave, ""paid"" | unpaid?\nAsk HR.",');
    expect(csv).toContain(`,"'=HYPERLINK(""http://example.com"", ""12 weeks"")",`);
    expect(
      csv
        .replace(/"[^"]*"/g, '')
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith('\r')),
    ).toBe(true);
  });

  it('writes facts as the import reads them, and yes, no or nothing for yes/no columns', () => {
    const [header, ...rows] = readCsv(runToCsv(RUN).slice(1));
    const row = (id: string) =>
      Object.fromEntries(header!.map((c, i) => [c, rows.find((r) => r[0] === id)![i]]));
    const leave = row('leave');
    expect(leave.facts).toBe('30 weeks; full basic pay | full pay');
    expect(leave.grounded_correct).toBe('yes');
    expect(leave.ungrounded_facts_missing).toBe('30 weeks; full basic pay | full pay');
    expect(leave.retrieved).toBe(
      'employee-handbook.md; customer-support-faq.txt; expenses-and-travel-policy.md',
    );
    expect(leave.grounded_cited).toBe('1');
    const dental = row('dental');
    expect([dental.grounded_correct, dental.grounded_abstained, dental.source_rank]).toEqual([
      '',
      'yes',
      '',
    ]);
    expect(dental.ungrounded_passed).toBe('no');
    expect(row('p9').grounded_first_token_ms).toBe('');
    expect(row('meals').grounded_tokens_per_second).toBe('20.0');
  });

  it('has the support counts of each answer, empty where it was not checked', () => {
    const [header, ...rows] = readCsv(runToCsv(CHECKED_RUN).slice(1));
    const row = (id: string) =>
      Object.fromEntries(header!.map((c, i) => [c, rows.find((r) => r[0] === id)![i]]));
    expect(header).toEqual(expect.arrayContaining(['grounded_citations_holding']));
    const meals = row('meals');
    expect([
      meals.grounded_sentences_checked,
      meals.grounded_sentences_supported,
      meals.grounded_sentences_partial,
      meals.grounded_sentences_not_found,
      meals.grounded_citations_checked,
      meals.grounded_citations_holding,
      meals.grounded_details_in_no_passage,
    ]).toEqual(['1', '0', '1', '0', '1', '0', '1']);
    // Its ungrounded check failed: nothing, not 0.
    expect(meals.ungrounded_sentences_checked).toBe('');
    expect(row('leave').ungrounded_sentences_not_found).toBe('1');
    const [, ...old] = readCsv(runToCsv(RUN).slice(1));
    const at = header!.indexOf('grounded_sentences_supported');
    expect(old.map((r) => r[at])).toEqual(['', '', '', '', '']);
  });
});

describe('runToMarkdown', () => {
  const html = (markdown: string) => new Marked({ gfm: true }).parse(markdown, { async: false });

  it('has the scoreboard, categories, settings and a row per question', () => {
    const markdown = runToMarkdown(RUN);
    expect(markdown).toContain(`_${SCORING_METHOD}_`);
    expect(markdown).toContain(
      '| Answerable questions with every fact | 3 / 3 (100 %) | 0 / 3 (0 %) |',
    );
    expect(markdown).toContain(
      '| Unanswerable questions declined | 2 / 2 (100 %) | 1 / 2 (50 %) |',
    );
    expect(markdown).toContain(
      'Retrieval of the source document: hit@1 1 / 3 (33 %), hit@3 2 / 3 (67 %), MRR 0.50; in the grounded prompt 2 / 3 (67 %).',
    );
    expect(markdown).toContain('| Control | 2 | – | – | 2 / 2 (100 %) | 1 / 2 (50 %) | – |');
    expect(markdown).toContain('| Temperature | 0.2 |');
    const rendered = html(markdown);
    const tables = rendered.split('<table>').slice(1);
    // Scoreboard, categories, settings, questions: a header row and a row per line or question.
    expect(tables.map((t) => t.split('<tr>').length - 1)).toEqual([6, 4, 14, 6]);
  });

  it('reports support rate and citation precision, grounded and ungrounded, and each answer’s support', () => {
    const markdown = runToMarkdown(CHECKED_RUN);
    expect(markdown).toContain(
      '| Sentences supported by the passages | 2 / 3 (67 %) | 0 / 4 (0 %) |',
    );
    expect(markdown).toContain(
      '| Sentences not found in the passages | 0 / 3 (0 %) | 3 / 4 (75 %) |',
    );
    expect(markdown).toContain(
      '| Citations whose passage supports the sentence (citation precision) | 2 / 3 (67 %) | – |',
    );
    expect(markdown).toContain('| Details (numbers, dates, names) in no passage | 1 | 3 |');
    expect(markdown).toContain('5 of 5 grounded');
    expect(markdown).toContain('4 of 5 ungrounded');
    expect(markdown).toContain(
      'Support: 1 sentence: 1 supported, 0 partly supported, 0 not found in the passages · 1 of 1 citation holds.',
    );
    expect(markdown).toContain(
      'Support: 1 sentence: 0 supported, 0 partly supported, 1 not found in the passages · 1 detail in no passage.',
    );
    expect(markdown).toContain('Support: Not checked against the passages.');
    const tables = html(markdown).split('<table>').slice(1);
    expect(tables[0]!.split('<tr>').length - 1).toBe(11);

    // A run from before the check: no support rows, and it says so.
    const old = runToMarkdown(RUN);
    expect(old).not.toContain('Sentences supported');
    expect(old).toContain('No answer of this run was checked against the passages');
  });

  it('keeps awkward text inside its table cell and its quote, and never as HTML', () => {
    const markdown = runToMarkdown(AWKWARD);
    const rendered = html(markdown);
    expect(rendered).toContain('<td>Weeks of leave, &quot;paid&quot; | unpaid?<br>Ask HR.</td>');
    expect(rendered).not.toContain('<script>');
    expect(rendered).toContain('&lt;script&gt;');
    // The grounded answer is quoted whole: its list, and the paragraph after its blank line.
    const quoted = rendered.split('<blockquote>')[1]!.split('</blockquote>')[0]!;
    expect(quoted).toContain(
      '<li><strong>30 weeks</strong>, at &quot;full basic pay&quot; [1]</li>',
    );
    expect(quoted).toContain('up to three blocks | before the 2nd birthday');
    expect(quoted).toContain('C:\\Leave\\');
    expect(markdown).toContain('**Grounded:** ✓ every fact (cut at the longest answer allowed)');
    expect(markdown).toContain('cancelled after 2 of 5 questions');
    expect(markdown).toContain('Not asked (the run was cancelled): 3 questions.');
  });

  it('does not report retrieval figures when no question names a source', () => {
    const controls: EvalRun = { ...RUN, results: RESULTS.slice(3) };
    const markdown = runToMarkdown(controls);
    expect(markdown).toContain(
      'No question names its source document, so retrieval is not measured.',
    );
    expect(markdown).not.toContain('MRR');
  });

  it('says which facts an answer missed', () => {
    const missed: EvalRun = {
      ...RUN,
      results: [
        result(
          'leave',
          [passage(EXPENSES)],
          answer('Thirty weeks, unpaid.'),
          answer('I do not know.'),
        ),
      ],
    };
    const markdown = runToMarkdown(missed);
    expect(markdown).toContain(
      '| 1 | How many weeks of parental leave do employees get? | ✗ 1 of 2 facts, missing: full basic pay \\| full pay | ✗ 0 of 2 facts, missing: 30 weeks; full basic pay \\| full pay | not retrieved | no |',
    );
    // And why: the handbook was never retrieved.
    expect(markdown).toContain(
      'Why grounded answers missed a fact:\n\n- Retrieval missed the source document: 1\n',
    );
    expect(JSON.parse(runToJson(missed)).groundedMisses).toMatchObject({
      'not-retrieved': 1,
      'missed-facts': 0,
    });
    expect(runToMarkdown(RUN)).not.toContain('Why grounded answers missed');
  });
});

describe('supportLine and supportCoverage', () => {
  it('says an answer’s support in one line, citations only for a grounded answer', () => {
    const summary = support({
      sentences: 3,
      supported: 1,
      partial: 1,
      missing: 1,
      citations: 2,
      citationsHolding: 1,
      unfoundDetails: 2,
    });
    expect(supportLine(summary, true)).toBe(
      '3 sentences: 1 supported, 1 partly supported, 1 not found in the passages · 1 of 2 citations hold · 2 details in no passage.',
    );
    expect(supportLine(summary, false)).toBe(
      '3 sentences: 1 supported, 1 partly supported, 1 not found in the passages · 2 details in no passage.',
    );
    expect(supportLine(support({ sentences: 1, supported: 1 }), true)).toBe(
      '1 sentence: 1 supported, 0 partly supported, 0 not found in the passages · no citation to check.',
    );
    expect(supportLine(support({}), true)).toBe('No sentence makes a claim to check.');
    expect(supportLine(undefined, false)).toBe('Not checked against the passages.');
  });

  it('says how many answers the support figures count', () => {
    expect(supportCoverage(scoreRun(CHECKED_RUN).summary)).toMatch(
      /^Support figures count the answers checked against the passages: 5 of 5 grounded .* and 4 of 5 ungrounded .*; an answer that failed, was stopped or said nothing, or whose check failed, is not counted\.$/,
    );
    expect(supportCoverage(scoreRun(RUN).summary)).toMatch(/^No answer of this run was checked/);
  });
});

it('names files by the run’s start time', () => {
  expect(runFileName(RUN, 'csv')).toBe('evaluation-2025-04-01-0900.csv');
});
