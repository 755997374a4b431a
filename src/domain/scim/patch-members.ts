/**
 * PATCH of a Group's `members` (RFC 7644 §3.5.2) as a plan of membership changes. Members are
 * records of their own (one per member), not an attribute the engine could load and rewrite: the
 * plan says which ids to add and remove, and whether the existing membership is cleared first, so
 * adding one member costs the same in any group size. Every step is O(1) per member id (Sets), so
 * 10,000 member values in one request stay linear.
 *
 * Forms (scim.md): `add members [{value}]`; `replace members [...]` (Okta's full push) clears then
 * adds; `remove members` without a filter clears; `remove members[value eq "x"]` (Okta, Entra's
 * aadOptscim062020 form; several joined by `or`) removes those. Entra's default
 * `{"op":"Remove","path":"members","value":[{"value":"…"}]}` reaches here already rewritten into
 * value-eq removals by idp-normalization.ts. Filters other than `value eq` are refused: the
 * members are not loaded, so there is nothing to evaluate them on.
 */
import type { CompareNode, FilterAst } from "./filter.js";
import { readMemberIds } from "./resource-input.js";
import { badRequest } from "./scim-error.js";

/** What a PATCH does to a Group's membership, in the order the integrator applies it. */
export interface MembershipChange {
  /** True when the request cleared the membership (`remove members`, `replace members`): delete every existing membership first. */
  removeAll: boolean;
  /** Member ids to add after that (deduplicated, in request order); ids naming no User of the configuration are to be ignored. */
  add: string[];
  /** Member ids to remove (always empty when removeAll: the clear already removed them). */
  remove: string[];
}

/** Accumulates the member operations of one request; later operations override earlier ones per id. */
export class MembershipPlan {
  private removeAll = false;
  private readonly added = new Set<string>();
  private readonly removed = new Set<string>();
  private touched = false;

  add(ids: Iterable<string>): void {
    this.touched = true;
    for (const id of ids) {
      this.removed.delete(id);
      this.added.add(id);
    }
  }

  remove(ids: Iterable<string>): void {
    this.touched = true;
    for (const id of ids) {
      this.added.delete(id);
      if (!this.removeAll) this.removed.add(id);
    }
  }

  clear(): void {
    this.touched = true;
    this.removeAll = true;
    this.added.clear();
    this.removed.clear();
  }

  /** The change, or undefined when no operation named members. */
  result(): MembershipChange | undefined {
    return this.touched ? { removeAll: this.removeAll, add: [...this.added], remove: [...this.removed] } : undefined;
  }
}

export type MemberOp = "add" | "replace" | "remove";

/** Applies one operation on `members` (no sub-attribute: the caller refused those) to the plan. */
export function planMemberOperation(plan: MembershipPlan, op: MemberOp, filter: FilterAst | undefined, value: unknown): void {
  if (filter) {
    if (op !== "remove") throw badRequest("mutability", `members values are immutable: ${op} members without a filter to add members, or remove members[value eq "…"]`);
    plan.remove(memberIdsOf(filter));
    return;
  }
  if (op === "remove") {
    if (value !== undefined && value !== null) {
      throw badRequest("invalidValue", 'remove takes no value (RFC 7644 §3.5.2.2): to remove some members use the path members[value eq "…"]');
    }
    plan.clear();
    return;
  }
  if (value === undefined) throw badRequest("invalidValue", `${op} members needs a value: a list of {"value": "<user id>"}`);
  const ids = readMemberIds(value, "members");
  if (op === "replace") plan.clear();
  plan.add(ids);
}

/** The ids of `value eq "…"` comparisons joined by `or`; anything else is 400 invalidFilter. */
export function memberIdsOf(filter: FilterAst): string[] {
  const ids: string[] = [];
  const stack: FilterAst[] = [filter];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === "or") {
      stack.push(node.right, node.left);
    } else if (isValueEq(node)) {
      ids.push(node.value as string);
    } else {
      throw badRequest(
        "invalidFilter",
        'A members filter may only be value eq "<user id>", optionally joined by or (members are not loaded to evaluate other filters)',
      );
    }
  }
  return ids;
}

function isValueEq(node: FilterAst): node is CompareNode {
  return node.kind === "compare" && node.op === "eq" && node.path.sub?.name === "value" && typeof node.value === "string";
}
