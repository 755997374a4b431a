/**
 * The SCIM error vocabulary (RFC 7644 §3.12). Every failure of the SCIM wing that a client caused
 * is a ScimError: the routes write it as the Error schema (`status` as a string, `scimType` where
 * the RFC defines one, and a `detail` a person can act on). Anything else reaching the routes is a
 * bug and is answered 500 with a generic detail.
 */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive"
  | "invalidCursor"
  | "expiredCursor";

export class ScimError extends Error {
  override readonly name = "ScimError";
  constructor(
    /** HTTP status: 400, 401, 403, 404, 409, 412, 413, 429, 501, 503 ... */
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    /** Extra response headers (Retry-After on 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}

/** 400 with a scimType: the common case of a client mistake in one attribute, filter or path. */
export const badRequest = (scimType: ScimType, detail: string): ScimError => new ScimError(400, scimType, detail);
