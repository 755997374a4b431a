/**
 * Domain failures other than validation. The transport layers map each to their own vocabulary
 * (Connect codes, Unleash error names, SCIM statuses) in one place each.
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
