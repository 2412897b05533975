import { describe, expect, test } from 'vitest';
import {
  importQuestions,
  QuestionExportError,
  QuestionImportError,
  questionFileFormat,
  questionsToCsv,
  questionsToJsonl,
} from './question-import';
import type { EvalQuestion } from './questions';

/** The error importQuestions throws for `text`, or a failure when it throws none. */
function importError(text: string, fileName: string): QuestionImportError {
  try {
    importQuestions(text, fileName);
  } catch (error) {
    expect(error).toBeInstanceOf(QuestionImportError);
    return error as QuestionImportError;
  }
  throw new Error(`${fileName} was imported, but should have been refused`);
}

const PARENTAL = 'How many weeks of parental leave do employees get?';

describe('importing JSONL', () => {
  test('reads every column, with facts as strings or lists of alternatives', () => {
    const jsonl = [
      JSON.stringify({
        id: 'leave',
        question: PARENTAL,
        answer: '30 weeks at full basic pay.',
        facts: [['30 weeks', '30-week'], 'full pay'],
        source: 'employee-handbook.md',
        kind: 'answerable',
        category: 'Will guess wrong',
        generated: true,
      }),
      '',
      '   ',
      JSON.stringify({ id: 7, question: 'Dental insurance?', kind: 'Unanswerable' }),
    ].join('\r\n');
    expect(importQuestions(jsonl, 'my set.jsonl')).toEqual({
      name: 'my set.jsonl',
      questions: [
        {
          id: 'leave',
          question: PARENTAL,
          answer: '30 weeks at full basic pay.',
          facts: [['30 weeks', '30-week'], ['full pay']],
          source: 'employee-handbook.md',
          kind: 'answerable',
          category: 'Will guess wrong',
          generated: true,
        },
        { id: '7', question: 'Dental insurance?', facts: [], kind: 'unanswerable' },
      ],
    });
  });

  test('answerable by default; null, empty text and unknown keys are as if left out', () => {
    const line = JSON.stringify({
      id: 'a',
      question: '  Who approves a claim of €4,500?  ',
      answer: null,
      source: '',
      facts: [' Callum Trewin '],
      notes: 'from the policy',
    });
    expect(importQuestions(`\uFEFF${line}\n`, 'set.jsonl').questions).toEqual([
      {
        id: 'a',
        question: 'Who approves a claim of €4,500?',
        facts: [['Callum Trewin']],
        kind: 'answerable',
      },
    ]);
  });

  test('a question without an id gets one made from its text, the same wherever it stands', () => {
    const a = JSON.stringify({ question: PARENTAL, facts: ['30 weeks'] });
    const b = JSON.stringify({ question: 'When does the financial year start?', facts: ['1 Sep'] });
    const first = importQuestions(`${a}\n${b}`, 'set.jsonl').questions.map((q) => q.id);
    const swapped = importQuestions(`${b}\n\n${a}`, 'set.jsonl').questions.map((q) => q.id);
    expect(first[0]).toMatch(/^q-[0-9a-z]+$/);
    expect(first[0]).not.toBe(first[1]);
    expect(swapped).toEqual([first[1], first[0]]);
  });
});

describe('importing CSV', () => {
  test('RFC 4180 quoting, CRLF, a byte order mark, any column order and case', () => {
    const csv =
      '\uFEFFQuestion,Facts,Kind,Source,Answer,Category\r\n' +
      `"Who approves a claim of €4,500?","Finance Director|Callum Trewin",,` +
      `expenses-and-travel-policy.md,"The Finance Director, Callum Trewin.",Cannot know\r\n` +
      `"What does ""settling-in"" mean?",10 days;full pay,answerable,,"Ten days,\r\nat full pay",\r\n` +
      'What is the list price of the Plover P-9?,,UNANSWERABLE,,,control\r\n';
    expect(importQuestions(csv, 'set.csv').questions).toEqual([
      {
        id: expect.any(String),
        question: 'Who approves a claim of €4,500?',
        answer: 'The Finance Director, Callum Trewin.',
        facts: [['Finance Director', 'Callum Trewin']],
        source: 'expenses-and-travel-policy.md',
        kind: 'answerable',
        category: 'Cannot know',
      },
      {
        id: expect.any(String),
        question: 'What does "settling-in" mean?',
        answer: 'Ten days,\r\nat full pay',
        facts: [['10 days'], ['full pay']],
        kind: 'answerable',
      },
      {
        id: expect.any(String),
        question: 'What is the list price of the Plover P-9?',
        facts: [],
        kind: 'unanswerable',
        category: 'control',
      },
    ]);
  });

  test('facts: spaces around separators, empty facts and a trailing “;” are slips, not facts', () => {
    const csv = 'question,facts\nQ?, 30 weeks | 30-week ;; full pay ; \n';
    expect(importQuestions(csv, 'set.csv').questions[0]!.facts).toEqual([
      ['30 weeks', '30-week'],
      ['full pay'],
    ]);
  });

  test('ids and generated columns; rows of empty cells and trailing commas are skipped', () => {
    const csv = 'id,question,facts,generated\n1,A?,a,true\n,,,\n2,B?,b,No,,\n';
    expect(importQuestions(csv, 'set.csv').questions).toEqual([
      { id: '1', question: 'A?', facts: [['a']], kind: 'answerable', generated: true },
      { id: '2', question: 'B?', facts: [['b']], kind: 'answerable', generated: false },
    ]);
  });

  test('a semicolon-separated file (as spreadsheets write in many countries) and TSV', () => {
    const semicolons = 'question;facts\n"Who approves €4,500?";"Finance Director|Trewin;CFO"\n';
    expect(importQuestions(semicolons, 'set.csv').questions[0]!.facts).toEqual([
      ['Finance Director', 'Trewin'],
      ['CFO'],
    ]);
    const tsv = 'question\tfacts\nWho approves €4,500?\tFinance Director;Trewin\n';
    expect(importQuestions(tsv, 'set.tsv').questions[0]).toMatchObject({
      question: 'Who approves €4,500?',
      facts: [['Finance Director'], ['Trewin']],
    });
  });
});

describe('questionFileFormat', () => {
  test('by the name first, else by the first character', () => {
    expect(questionFileFormat('set.JSONL', 'question,facts')).toBe('jsonl');
    expect(questionFileFormat('set.ndjson', '')).toBe('jsonl');
    expect(questionFileFormat('set.csv', '{"question": "x"}')).toBe('csv');
    expect(questionFileFormat('set.tsv', '')).toBe('csv');
    expect(questionFileFormat('set.txt', '\uFEFF\n  {"question": "x"}')).toBe('jsonl');
    expect(questionFileFormat('set.json', '[{"question": "x"}]')).toBe('jsonl');
    expect(questionFileFormat('questions', 'question,facts\n')).toBe('csv');
  });
});

describe('a malformed file is refused whole, naming the file and the line', () => {
  const ok = JSON.stringify({ question: PARENTAL, facts: ['30 weeks'] });

  test('a line that is not JSON', () => {
    const error = importError(`${ok}\n\n{"question": "x", facts: []}\n`, 'questions.jsonl');
    expect(error.fileName).toBe('questions.jsonl');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(
      /^questions\.jsonl, line 3: this line is not JSON \(.+\)\. Each line must be one whole JSON object, such as \{"question": .+\}\. Fix the line and import the file again\.$/,
    );
  });

  test('an object written over several lines, as pretty-printed JSON is', () => {
    const error = importError('{\n  "question": "x",\n  "facts": ["y"]\n}\n', 'set.jsonl');
    expect(error.line).toBe(1);
    expect(error.problems.map((p) => p.line)).toEqual([1, 2, 3, 4]);
    expect(error.message).toContain('Lines 2, 3, 4 have problems too. Fix them and import');
  });

  test('a line that is JSON but not an object', () => {
    expect(importError(`${ok}\n42\n`, 'set.jsonl').message).toContain(
      'set.jsonl, line 2: this line is the number 42, not a JSON object.',
    );
    expect(importError(`${ok}\n"a question?"\n`, 'set.jsonl').message).toContain(
      'line 2: this line is the text "a question?", not a JSON object.',
    );
  });

  test('a JSON list instead of one object per line', () => {
    const error = importError(`[${ok}]`, 'set.json');
    expect(error.line).toBeUndefined();
    expect(error.message).toMatch(
      /^set\.json: the file holds a JSON list, but question files are JSONL: one question object per line/,
    );
    expect(error.message).toMatch(/Fix the file and import it again\.$/);
  });

  test('no question, an empty one, or one that is not text', () => {
    expect(importError('{"facts": ["a"]}', 'set.jsonl').message).toBe(
      'set.jsonl, line 1: there is no “question”, or it is empty. Every line needs the ' +
        'question’s text. Fix the line and import the file again.',
    );
    expect(importError('{"question": "  ", "facts": ["a"]}', 'set.jsonl').line).toBe(1);
    expect(importError('question,facts\nok?,a\n,b\n', 'set.csv').message).toContain(
      'set.csv, line 3: there is no “question”, or it is empty.',
    );
    expect(importError('{"question": ["a"], "facts": ["a"]}', 'set.jsonl').message).toContain(
      'line 1: “question” must be text, not a list.',
    );
  });

  test('answer, source, category or id of the wrong type', () => {
    expect(
      importError('{"question": "q", "facts": ["a"], "answer": 30}', 'a.jsonl').message,
    ).toContain('line 1: “answer” must be text, not the number 30.');
    expect(
      importError('{"question": "q", "facts": ["a"], "source": {}}', 'a.jsonl').message,
    ).toContain('“source” must be text, not an object.');
    expect(
      importError('{"question": "q", "facts": ["a"], "category": true}', 'a.jsonl').message,
    ).toContain('“category” must be text, not true.');
    expect(
      importError('{"id": 1.5, "question": "q", "facts": ["a"]}', 'a.jsonl').message,
    ).toContain('“id” must be text, not the number 1.5.');
  });

  test('facts that are not a list of strings or of lists of strings', () => {
    const shape =
      'line 1: “facts” must be a list of strings or of lists of strings (alternatives), such ' +
      'as ["30 weeks", ["€60", "60 euros"]]';
    expect(importError('{"question": "q", "facts": "30 weeks"}', 'a.jsonl').message).toContain(
      `${shape}, not the text "30 weeks".`,
    );
    expect(importError('{"question": "q", "facts": ["a", 30]}', 'a.jsonl').message).toContain(
      `${shape}; fact 2 is the number 30.`,
    );
    expect(importError('{"question": "q", "facts": [["a", ["b"]]]}', 'a.jsonl').message).toContain(
      `${shape}; fact 1 is a list.`,
    );
    expect(importError('{"question": "q", "facts": [[]]}', 'a.jsonl').message).toContain(
      `${shape}; fact 1 is an empty list.`,
    );
  });

  test('an empty fact, which would match every answer', () => {
    expect(
      importError('{"question": "q", "facts": ["a", ["b", " "]]}', 'a.jsonl').message,
    ).toContain(
      'line 1: fact 2 in “facts” is empty, and an empty fact would match every answer. Remove it.',
    );
  });

  test('an unknown kind', () => {
    expect(importError('question,facts,kind\nq?,a,maybe\n', 'set.csv').message).toBe(
      'set.csv, line 2: “kind” is “maybe”, but it must be answerable or unanswerable (left ' +
        'out, it is answerable). Fix the line and import the file again.',
    );
  });

  test('an answerable question without facts cannot be scored, so it is refused', () => {
    const error = importError(`${ok}\n{"question": "Who founded Marrowby?"}\n`, 'set.jsonl');
    expect(error.message).toBe(
      'set.jsonl, line 2: the question has no “facts”, so no answer to it could be scored. ' +
        'List what a correct answer must contain (in CSV: 30 weeks|thirty weeks;full pay), or ' +
        'set “kind” to unanswerable if the documents do not answer it. Fix the line and import ' +
        'the file again.',
    );
    expect(importError('question,facts\nq?,;|\n', 'set.csv').line).toBe(2);
  });

  test('an unanswerable question with facts: the kind is probably wrong', () => {
    expect(
      importError('{"question": "q", "kind": "unanswerable", "facts": ["a"]}', 'a.jsonl').message,
    ).toContain(
      'line 1: the question is unanswerable but lists “facts”: its right answer is to decline',
    );
  });

  test('generated that is not true or false', () => {
    expect(importError('question,facts,generated\nq?,a,perhaps\n', 'set.csv').message).toContain(
      'line 2: “generated” must be true or false, not the text "perhaps".',
    );
    expect(
      importError('{"question": "q", "facts": ["a"], "generated": "yes"}', 'a.jsonl').line,
    ).toBe(1);
  });

  test('the same id twice, or the same question twice without ids', () => {
    const twice = [
      '{"id": "q3", "question": "a", "facts": ["x"]}',
      '{"id": "q4", "question": "b", "facts": ["x"]}',
      '{"id": "q3", "question": "c", "facts": ["x"]}',
    ].join('\n');
    expect(importError(twice, 'set.jsonl').message).toBe(
      'set.jsonl, line 3: the id “q3” is already the id of line 1. Give each question its own ' +
        'id, or leave “id” empty to have one made from the question. Fix the line and import ' +
        'the file again.',
    );
    expect(
      importError('question,facts\nSame?,a\nOther?,b\nSame?,c\n', 'set.csv').message,
    ).toContain(
      'set.csv, line 4: this is the same question as line 2. Remove one of them, or give each ' +
        'its own “id”.',
    );
  });

  test('an empty file, blank lines only, or a CSV header without rows', () => {
    for (const text of ['', '\uFEFF', '\n\r\n  \n']) {
      expect(importError(text, 'set.jsonl').message).toBe(
        'set.jsonl: the file holds no questions. Write one question per line: a JSON object ' +
          'per line (JSONL), or a row per question under a header row (CSV). Fix the file and ' +
          'import it again.',
      );
    }
    expect(importError('question,facts\r\n,\r\n', 'set.csv').message).toBe(
      'set.csv: the file has a header row but no questions below it. Add one question per ' +
        'row. Fix the file and import it again.',
    );
  });

  test('a CSV without a “question” column, or without a header row', () => {
    expect(importError('Who founded Marrowby?,Halloway\n', 'set.csv').message).toBe(
      'set.csv, line 1: the header row names no “question” column. The first line must name ' +
        'the columns, such as “question,answer,facts,source,kind”. Fix the line and import ' +
        'the file again.',
    );
    expect(importError('\n\nquestion;;facts\n', 'set.csv').line).toBe(3);
  });

  test('a column named twice in the header', () => {
    expect(importError('question,facts,Facts\nq?,a,b\n', 'set.csv').message).toContain(
      'set.csv, line 1: the header names the column “facts” twice. Keep one.',
    );
  });

  test('a quote never closed, reported on the line it opens', () => {
    const csv = 'question,facts\n"two\nlines?",a\nok?,b\n"Who approves €4,500?,Trewin\nok?,c\n';
    const error = importError(csv, 'set.csv');
    expect(error.line).toBe(5);
    expect(error.message).toBe(
      'set.csv, line 5: a quoted field opens on this line and is never closed, so the rest of ' +
        'the file would be read as that one field. Close the quote, and write each " inside a ' +
        'quoted field as "". Fix the line and import the file again.',
    );
  });

  test('a quote inside a quoted field that is not doubled', () => {
    const csv = 'question,facts\nok?,a\n"What does "settling-in" mean?",10 days\n';
    expect(importError(csv, 'set.csv').message).toBe(
      'set.csv, line 3: a quoted field goes on after its closing quote. Inside a quoted field ' +
        'write each " as "", such as "What does ""settling-in"" mean?". Fix the line and ' +
        'import the file again.',
    );
    const spanning = 'question,facts\n"Two\nlines "with" quotes",a\n';
    expect(importError(spanning, 'set.csv').line).toBe(3);
  });

  test('an unquoted comma, which splits a field in two', () => {
    expect(importError('question,facts\nWho approves €4,500?,Trewin\n', 'set.csv').message).toBe(
      'set.csv, line 2: this row has 3 fields but the header names 2 columns. A field holding ' +
        'a comma must be in double quotes, such as "Who approves €4,500?". Fix the line and ' +
        'import the file again.',
    );
  });

  test('line numbers count the lines of quoted fields, and every bad line is listed', () => {
    const csv =
      'question,facts,kind\n"A question\nover three\nlines?",a,\nq?,,\nr?,b,sometimes\nok?,c,\n';
    const error = importError(csv, 'set.csv');
    expect(error.problems.map((p) => p.line)).toEqual([5, 6]);
    expect(error.message).toMatch(/^set\.csv, line 5: the question has no “facts”/);
    expect(error.message).toMatch(
      / Line 6 has problems too\. Fix them and import the file again\.$/,
    );
  });
});

describe('exporting a set', () => {
  const questions: EvalQuestion[] = [
    {
      id: 'gen-1',
      question: 'What does "settling-in" mean, and how many days are there?',
      answer: 'Ten days at full pay,\nin the first year after returning.',
      facts: [['10 days', 'ten days'], ['full pay']],
      source: 'employee-handbook.md',
      kind: 'answerable',
      category: 'Generated',
      generated: true,
    },
    { id: 'q-2', question: 'Dental insurance?', facts: [], kind: 'unanswerable', generated: false },
    { id: '3', question: 'Who approves €4,500?', facts: [['Trewin']], kind: 'answerable' },
  ];

  test('JSONL reads back identically', () => {
    const jsonl = questionsToJsonl(questions);
    expect(jsonl.split('\n')).toHaveLength(4);
    expect(jsonl.split('\n')[0]).toBe(
      '{"id":"gen-1","question":"What does \\"settling-in\\" mean, and how many days are there?",' +
        '"answer":"Ten days at full pay,\\nin the first year after returning.",' +
        '"facts":[["10 days","ten days"],"full pay"],"source":"employee-handbook.md",' +
        '"kind":"answerable","category":"Generated","generated":true}',
    );
    expect(importQuestions(jsonl, 'generated.jsonl').questions).toEqual(questions);
  });

  test('CSV reads back identically', () => {
    const csv = questionsToCsv(questions);
    expect(csv.split('\r\n')[0]).toBe('id,question,answer,facts,source,kind,category,generated');
    expect(importQuestions(csv, 'generated.csv').questions).toEqual(questions);
  });

  test('CSV refuses a fact holding “;” or “|”, which JSONL can hold', () => {
    const piped: EvalQuestion[] = [
      { id: 'x', question: 'Which?', facts: [['A|B']], kind: 'answerable' },
    ];
    expect(() => questionsToCsv(piped)).toThrow(QuestionExportError);
    expect(() => questionsToCsv(piped)).toThrow(
      'The fact “A|B” of question x holds “;” or “|”, which separate facts and their ' +
        'alternatives in CSV. Export the set as JSONL instead.',
    );
    expect(importQuestions(questionsToJsonl(piped), 'x.jsonl').questions).toEqual(piped);
  });
});
