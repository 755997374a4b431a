/**
 * How a SCIM User or Group is stored: the record's fields under their own names (id as _id),
 * plus its search form (domain/scim/search-form.ts) under `s`, which filters and sorts run on.
 * `s` is derived data: every write rewrites it from the attributes it writes.
 */
import type { ResourceTypeDef } from "../../domain/scim/schema.js";
import type { ScimRecord } from "../../domain/scim/scim-record.js";
import { searchForm, type SearchForm } from "../../domain/scim/search-form.js";

/** The stored document of a resource: the fields every query names; the record's others beside them. */
export interface ResourceDoc {
  _id: string;
  scimConfigurationId: string;
  version: number;
  s: SearchForm;
}

export function toResourceDoc<R extends ScimRecord & { scimConfigurationId: string }>(resource: ResourceTypeDef, record: R): ResourceDoc {
  const { id, ...rest } = record;
  return { _id: id, ...rest, s: searchForm(resource, record) };
}

export function fromResourceDoc<R>(doc: ResourceDoc): R {
  const { _id, s: _form, ...rest } = doc;
  return { id: _id, ...rest } as R;
}

/** Reads leave the search form on the server: nobody above the adapter needs it. */
export const WITHOUT_FORM = { projection: { s: 0 } } as const;

/** What a write of new attributes sets, unsets and raises (for `$max`) in one update. */
export interface FormUpdate {
  $set: Record<string, unknown>;
  $unset: Record<string, "">;
  $max?: Record<string, Date>;
}

/**
 * The update that makes `s` the search form of the new attributes without reading the document:
 * each top-level key of the form is set or, when the new attributes lack it, unset. `s.meta.created`
 * is left alone (the write does not know it and it never changes); `s.meta.lastModified` is set,
 * or raised with `$max` when `lastModified` only moves forward (see the group store). Writing `s`
 * whole would need `created`, which only a read (or a second write) could supply.
 */
export function formUpdate(resource: ResourceTypeDef, record: Pick<ScimRecord, "id" | "lastModified" | "attributes">, lastModified: "set" | "max"): FormUpdate {
  // `created` is not stored by this update (see above); any Date does to build the form.
  const form = searchForm(resource, { ...record, created: record.lastModified });
  const update: FormUpdate = { $set: {}, $unset: {} };
  for (const key of new Set([...formKeys(resource), ...Object.keys(form)])) {
    if (key === "meta") continue;
    if (key in form) update.$set[`s.${key}`] = form[key];
    else update.$unset[`s.${key}`] = "";
  }
  if (lastModified === "set") {
    update.$set["lastModified"] = record.lastModified;
    update.$set["s.meta.lastModified"] = record.lastModified;
  } else {
    update.$max = { lastModified: record.lastModified, "s.meta.lastModified": record.lastModified };
  }
  return update;
}

/** Every top-level key a search form of this resource type can have. */
function formKeys(resource: ResourceTypeDef): string[] {
  return [
    "id",
    "meta",
    "schemas",
    "externalId",
    "_primary",
    "_has",
    ...resource.schema.attributes.map((a) => a.name),
    ...resource.extensions.flatMap((e) => (e.schema.storageKey ? [e.schema.storageKey] : [])),
  ];
}
