/**
 * Domain failures other than validation. Adapters raise them (a unique index that refuses a
 * write becomes AlreadyExistsError with the message below, a database that does not answer
 * becomes StoreUnavailableError), use cases raise the rest, and each transport maps them to its
 * own vocabulary (Connect codes, Unleash error names, SCIM statuses) in one place each.
 */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

export class AlreadyExistsError extends Error {
  override readonly name = "AlreadyExistsError";
}

export class FailedPreconditionError extends Error {
  override readonly name = "FailedPreconditionError";
}

export class PermissionDeniedError extends Error {
  override readonly name = "PermissionDeniedError";
}

export class UnauthenticatedError extends Error {
  override readonly name = "UnauthenticatedError";
}

/** The database could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(options?: { cause?: unknown }) {
    super("the database is unavailable", options);
  }
}

/**
 * The unique rules that stores enforce and that a client can break, each with the message the
 * client gets. Adapters throw `new AlreadyExistsError(CONFLICT.x)` when the rule refuses a write;
 * any other duplicate key (an id or token hash collision) is not the client's doing and is
 * reported as an internal error instead, so no index or column name ever reaches a client.
 */
export const CONFLICT = {
  scimSsoLink: "sso_configuration_id already has a SCIM configuration; an SSO configuration can have only one",
  scimUserName: "A User with this userName already exists in this SCIM configuration (userName is unique, case-insensitively).",
  scimGroupName: "A Group with this displayName already exists in this SCIM configuration (displayName is unique, case-insensitively).",
} as const;

/**
 * A write collided on a key the server itself generates (an id, a token or key hash). Never the
 * client's doing and astronomically unlikely with random 238-bit secrets and UUIDv7 ids, so it is
 * answered as an internal error; it exists so that adapters can say precisely what happened.
 */
export class KeyCollisionError extends Error {
  override readonly name = "KeyCollisionError";
  constructor(readonly key: string) {
    super(`a generated ${key} collided with a stored one`);
  }
}
