/** The parts of the app that write the knowledge base or read it at length. */
export interface BusyParts {
  readonly ingest: { readonly running: boolean };
  readonly reembedding: unknown;
  readonly evaluation: { readonly running: boolean };
}

/**
 * Why an action that empties the knowledge base cannot run now, in a sentence that opens with
 * `outcome` ("Nothing was deleted") and says how to get there; null when it can run.
 */
export function busyProblem(app: BusyParts, action: string, outcome: string): string | null {
  if (app.evaluation.running) {
    return (
      `${outcome}: an evaluation is running. Cancel it (under Evaluation), then press ` +
      `${action} again.`
    );
  }
  if (app.ingest.running || app.reembedding) {
    return (
      `${outcome}: documents are being ${app.ingest.running ? 'added' : 're-embedded'}. ` +
      `Wait for them to finish or cancel them, then press ${action} again.`
    );
  }
  return null;
}
