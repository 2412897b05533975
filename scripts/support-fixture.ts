/**
 * Adds the answers of evaluation runs (`npm run eval:answers -- --json run.json`) to the support
 * check's labelled set, test/fixtures/support/answers.json, for a person to label: each claim
 * sentence of each answer gets `"label": null`, to be replaced by "supported", "partial" or
 * "missing" after reading the passages the answer is checked against (the grounded answer: the
 * passages its prompt held; the ungrounded one: all the retrieved passages). Answers already in
 * the file (same id) keep their labels.
 *
 *   npx tsx scripts/support-fixture.ts --run run.json --name smol-t0 [--run … --name …]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { prepareSupport, supportPassages } from '../src/lib/core/answers/support';
import type { EvalRun } from '../src/lib/core/eval/run';
import { parseSampleSet } from '../src/lib/core/eval/sample-set';
import type { LabelledAnswer } from './calibrate-support';

const OUT = 'test/fixtures/support/answers.json';
const { values } = parseArgs({
  options: {
    run: { type: 'string', multiple: true, default: [] },
    name: { type: 'string', multiple: true, default: [] },
  },
});
if (values.run.length === 0 || values.run.length !== values.name.length) {
  console.error(
    'Usage: npx tsx scripts/support-fixture.ts --run run.json --name NAME [--run … --name …]',
  );
  process.exit(2);
}

type Unlabelled = Omit<LabelledAnswer, 'labels'> & {
  run: string;
  labels: { sentence: string; label: string | null }[];
};
const file: { provenance: string; answers: Unlabelled[] } = existsSync(OUT)
  ? (JSON.parse(readFileSync(OUT, 'utf8')) as { provenance: string; answers: Unlabelled[] })
  : { provenance: '', answers: [] };
const questions = new Map(
  parseSampleSet(readFileSync('static/samples/QUESTIONS.md', 'utf8')).questions.map((q) => [
    q.id,
    q,
  ]),
);

values.run.forEach((path, r) => {
  const name = values.name[r]!;
  // An export (`--json`, Export JSON) holds the run under `run`.
  const exported = JSON.parse(readFileSync(path, 'utf8')) as { run?: EvalRun } & EvalRun;
  const run = exported.run ?? exported;
  for (const result of run.results) {
    const question = questions.get(result.questionId);
    const text = question?.question ?? result.questionId;
    for (const kind of ['grounded', 'ungrounded'] as const) {
      const id = `${name}/${result.questionId}/${kind}`;
      if (file.answers.some((a) => a.id === id)) continue;
      const answer = result[kind].text;
      const passages =
        kind === 'grounded'
          ? supportPassages(result.passages.slice(0, result.promptPassages), 'prompt')
          : supportPassages(result.passages, 'rank');
      const prepared = prepareSupport(text, answer, passages);
      file.answers.push({
        id,
        run: name,
        questionId: result.questionId,
        question: text,
        kind,
        answer,
        passages,
        sourceRetrieved: passages.some(
          (p) => question?.source && p.source?.startsWith(question.source),
        ),
        labels: prepared.sentences
          .filter((s) => s.claim)
          .map((s) => ({ sentence: s.text, label: null })),
      });
    }
  }
});
writeFileSync(OUT, `${JSON.stringify(file, null, 1)}\n`);
console.error(
  `${OUT}: ${file.answers.length} answers, ${file.answers.reduce((n, a) => n + a.labels.length, 0)} claim sentences.`,
);
