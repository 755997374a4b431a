import { Code, ConnectError } from "@connectrpc/connect";
import {
  AlreadyExistsError,
  FailedPreconditionError,
  NotFoundError,
  PermissionDeniedError,
  StoreUnavailableError,
  UnauthenticatedError,
} from "../domain/errors.js";
import { ValidationError } from "../domain/validation-error.js";

/**
 * The one place where failures become Connect codes. Returns undefined for errors that are not
 * known client or availability failures: the caller logs those and answers internal, with no
 * detail (a message could carry driver internals).
 */
export function toConnectError(err: unknown): ConnectError | undefined {
  if (err instanceof ConnectError) return err;
  if (err instanceof ValidationError) return new ConnectError(err.message, Code.InvalidArgument);
  if (err instanceof NotFoundError) return new ConnectError(err.message, Code.NotFound);
  if (err instanceof AlreadyExistsError) return new ConnectError(err.message, Code.AlreadyExists);
  if (err instanceof FailedPreconditionError) return new ConnectError(err.message, Code.FailedPrecondition);
  if (err instanceof PermissionDeniedError) return new ConnectError(err.message, Code.PermissionDenied);
  if (err instanceof UnauthenticatedError) return new ConnectError(err.message, Code.Unauthenticated);
  if (err instanceof StoreUnavailableError) return new ConnectError("the database is unavailable; retry later", Code.Unavailable);
  return undefined;
}
