/**
 * Rows later issues add to this bench, named here so they land beside the rows they are judged
 * against and with their targets written down once. Neither is measured yet: the code each one
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
    issue: 13,
    scenario: "SCIM token verification with several live tokens and the allowlist",
    target: "costs SCIM token verification at most 10% (≥ 0.9× the single-token GET /scim/v2/ServiceProviderConfig row of the same run, reported beside it)",
    how:
      "the token-verification pair of run.ts against a configuration with several live tokens and an allowlist that admits " +
      "the load's address, compared round by round (compare.ts) with the same request on a configuration without them",
    needs: "issue 13's multiple live tokens per configuration and the address allowlist",
  },
  {
    issue: 13,
    scenario: "OAuth access-token verification",
    target: "at least as fast as SCIM token verification (≥ 1.0×)",
    how: "compare.ts pairing GET /scim/v2/ServiceProviderConfig with an OAuth access token against the same request with a SCIM token",
    needs: "issue 13's OAuth access tokens",
  },
];
