/**
 * Rows later issues add to this bench, named here so they land beside the rows they are judged
 * against and with their targets written down once. None is measured yet: the code each one
 * measures is not on this branch. results.md lists them as "to come" (they never count as met).
 * To add one: measure it in run.ts where the `LATER_ROWS` comment says, with the tools named in
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

export const LATER_ROWS: readonly LaterRow[] = [
  {
    issue: 12,
    scenario: "Audit entry on POST /scim/v2/Users",
    target: "writing the audit entry costs a SCIM POST at most 15% of its throughput (with audit / without ≥ 0.85×)",
    how:
      "provisioning.ts's rounds (compareRounds, fresh collections each round, the same user bodies) with our service on both " +
      "sides: one ours-server with the audit log written, one with it off, so the ratio is the audit entry's cost alone",
    needs: "issue 12's audit log writer on this branch, and a setting that turns it off for the reference side",
  },
];
