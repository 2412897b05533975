import { openGroundedDB, DEFAULT_DB_NAME, type GroundedDB, type OpenOptions } from './db';
import { Documents } from './documents';
import { EvalRuns } from './eval-runs';
import { KeywordSnapshot } from './keyword-snapshot';
import { PendingFiles } from './pending';
import { VectorStore } from './vector-store';

/**
 * One connection to the knowledge base's database, and its parts: the documents, the files being
 * added, the keyword index snapshot, the stored vectors and the evaluation runs kept. Each part keeps its own
 * transactions; a write that spans parts is one transaction in the part that makes it (see
 * Documents), never split between them.
 */
export class KnowledgeBase {
  readonly documents: Documents;
  readonly pending: PendingFiles;
  readonly keywords: KeywordSnapshot;
  readonly vectors: VectorStore;
  readonly evalRuns: EvalRuns;

  private constructor(readonly db: GroundedDB) {
    this.documents = new Documents(db);
    this.pending = new PendingFiles(db);
    this.keywords = new KeywordSnapshot(db);
    this.vectors = new VectorStore(db);
    this.evalRuns = new EvalRuns(db);
  }

  static async open(name = DEFAULT_DB_NAME, options?: OpenOptions): Promise<KnowledgeBase> {
    return new KnowledgeBase(await openGroundedDB(name, options));
  }

  close(): void {
    this.db.close();
  }
}
