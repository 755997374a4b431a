/**
 * PATCH operations on the elements of a multi-valued complex attribute (RFC 7644 §3.5.2): the
 * value-path forms `emails[type eq "work"]` and `emails[type eq "work"].value`, and a
 * sub-attribute of every element (`emails.type`). Where the elements are stored is the engine's
 * business (an ElementSlot); these steps only read and rewrite the list.
 */
import { readSingleValue } from "./attribute-values.js";
import { evaluateElementFilter, type FilterAst } from "./filter.js";
import type { PatchOperation } from "./patch-operation.js";
import { checkImmutable, mergeComplex } from "./patch-values.js";
import { badRequest } from "./scim-error.js";
import type { AttributeDef } from "./schema.js";

type Element = Record<string, unknown>;

/** The elements of one multi-valued attribute, and how to write them back. */
export interface ElementSlot {
  /** The multi-valued complex attribute. */
  def: AttributeDef;
  /** Its canonical path, for messages ("emails"). */
  scimPath: string;
  /** A copy of the current elements, safe to rewrite. */
  elements: Element[];
  /** Writes elements back, leaving one primary (preferring `touched`), or unassigns the attribute when none are left. */
  store(elements: Element[], touched?: Element): void;
}

/**
 * A value-path operation. No element matching is a no-op for remove (and for a null value) and
 * 400 noTarget for add and replace (§3.5.2.3), unless the operation carries Entra's type-eq
 * creation rule (idp-normalization.ts), which creates the element. Without a sub-attribute,
 * replace replaces each matching element whole and add merges into it.
 */
export function applyToMatchingElements(slot: ElementSlot, operation: PatchOperation, filter: FilterAst, sub: AttributeDef | undefined): void {
  const { op, value } = operation;
  const elements = slot.elements;
  let matches = elements.flatMap((e, i) => (evaluateElementFilter(filter, e) ? [i] : []));
  let created: Record<string, string> | undefined;
  if (matches.length === 0) {
    if (op === "remove" || value === null) return;
    if (!operation.createWhenNoMatch) throw badRequest("noTarget", `${operation.path} matches no value of ${slot.scimPath}`);
    created = operation.createWhenNoMatch;
    elements.push({ ...created });
    matches = [elements.length - 1];
  }
  if (sub) return setInElements(slot, matches, op, sub, value);
  if (op === "remove") {
    const drop = new Set(matches);
    return slot.store(elements.filter((_, i) => !drop.has(i)));
  }
  const next: (Element | undefined)[] = elements;
  for (const i of matches) {
    const read = op === "replace" ? (readSingleValue(slot.def, value, slot.scimPath, undefined) as Element | undefined) : mergeComplex(slot.def, elements[i], value, slot.scimPath);
    // An element created by Entra's rule keeps the type its filter named unless the value says otherwise.
    next[i] = created && read ? { ...created, ...read } : read;
  }
  const touched = next[matches.at(-1)!];
  slot.store(next.filter((e) => e !== undefined), touched);
}

/** Sets (or, for remove and null, unassigns) `sub` in the elements at `indexes`; elements left empty go. */
export function setInElements(slot: ElementSlot, indexes: number[], op: PatchOperation["op"], sub: AttributeDef, value: unknown): void {
  const path = `${slot.scimPath}.${sub.name}`;
  const after = op === "remove" || value === null ? undefined : readSingleValue(sub, value, path, slot.def);
  const elements = slot.elements;
  let touched: Element | undefined;
  for (const i of indexes) {
    const element = { ...elements[i]! };
    checkImmutable(sub, element[sub.name], after, path);
    if (after === undefined) delete element[sub.name];
    else element[sub.name] = after;
    elements[i] = element;
    touched = element;
  }
  slot.store(elements.filter((e) => Object.keys(e).length > 0), touched);
}
