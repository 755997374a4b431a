/** A unique constraint refused a write; `constraint` names what was duplicated. */
export class DuplicateError extends Error {
  override readonly name = "DuplicateError";
  constructor(readonly constraint: "sso_configuration_id" | "token_hash" | "key_hash" | "id") {
    super(`duplicate ${constraint}`);
  }
}

/** The database could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(options?: { cause?: unknown }) {
    super("the database is unavailable", options);
  }
}
