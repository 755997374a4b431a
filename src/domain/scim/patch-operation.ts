/** One PATCH operation (RFC 7644 §3.5.2) after the identity-provider normalisation. */
export interface PatchOperation {
  op: "add" | "replace" | "remove";
  /** Absent for a path-less add or replace. */
  path?: string;
  value?: unknown;
  /**
   * Entra ID's type-eq rule, set by idp-normalization.ts: when the value filter matches no
   * element, add one holding these sub-attribute values (`{type: "work"}`) and apply the
   * operation to it instead of answering noTarget.
   */
  createWhenNoMatch?: Record<string, string>;
  /** Index of the request operation this one comes from (normalizePatchRequest may turn one into several), for messages. */
  source?: number;
}
