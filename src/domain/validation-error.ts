/**
 * ValidationError is a client mistake in one field. The message always names the field (in its
 * proto snake_case spelling) and the rule, e.g. "organization_id must be a UUID".
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field} ${rule}`);
  }
}
