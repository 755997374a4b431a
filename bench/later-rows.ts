/**
 * Rows later issues add to this bench, named here so they land beside the rows they are judged
 * against and with their targets written down once. Until measured, results.md lists
 * them as "to come" (they never count as met).
 * To add one: measure it in run.ts beside the rows it is judged against, with the tools named in
 * `how`, push its LoadRow, and delete its entry here.
 */
export interface LaterRow {
  issue: number;
  scenario: string;
  /** The target, as the issue states it, in the median over rounds. */
  target: string;
  /** How to measure it with what the bench already has. */
  how: string;
  /** What has to exist first. */
  needs: string;
}

// Every row named by issues 12 and 13 is measured now (run.ts, provisioning.ts); new ones go here.
export const LATER_ROWS: readonly LaterRow[] = [];
