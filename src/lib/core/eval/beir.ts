/**
 * The BEIR benchmark format: corpus.jsonl ({"_id", "title", "text"} per line), queries.jsonl
 * ({"_id", "text"}) and qrels as tab-separated query-id, corpus-id, score with a header line.
 */

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

/** Judgements per query: corpus id → relevance. */
export type Qrels = Map<string, Map<string, number>>;

export class BeirFormatError extends Error {
  override name = 'BeirFormatError';
}

function* jsonLines(text: string, file: string): Generator<Record<string, unknown>> {
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new BeirFormatError(`${file}, line ${line}: not JSON.`);
    }
    if (typeof value !== 'object' || value === null) {
      throw new BeirFormatError(`${file}, line ${line}: not a JSON object.`);
    }
    yield value as Record<string, unknown>;
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const id = (value: unknown, file: string) => {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new BeirFormatError(`${file}: a line has no "_id".`);
};

export function parseCorpus(jsonl: string): BeirDocument[] {
  return Array.from(jsonLines(jsonl, 'corpus.jsonl'), (doc) => ({
    id: id(doc._id, 'corpus.jsonl'),
    title: text(doc.title),
    text: text(doc.text),
  }));
}

export function parseQueries(jsonl: string): BeirQuery[] {
  return Array.from(jsonLines(jsonl, 'queries.jsonl'), (query) => ({
    id: id(query._id, 'queries.jsonl'),
    text: text(query.text),
  }));
}

/** Reads qrels; a first line that does not end in a number is taken as the header. */
export function parseQrels(tsv: string): Qrels {
  const qrels: Qrels = new Map();
  tsv.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.trim().split(/\t| +/);
    // TREC files have four columns (query, iteration, doc, score), BEIR's three.
    const [query, doc, score] =
      fields.length >= 4 ? [fields[0], fields[2], fields[3]] : [fields[0], fields[1], fields[2]];
    const relevance = Number(score);
    if (
      query === undefined ||
      doc === undefined ||
      score === undefined ||
      !Number.isFinite(relevance)
    ) {
      if (i === 0) return;
      throw new BeirFormatError(`qrels, line ${i + 1}: expected query-id, corpus-id, score.`);
    }
    let judged = qrels.get(query);
    if (!judged) qrels.set(query, (judged = new Map()));
    judged.set(doc, relevance);
  });
  return qrels;
}
