import { isUuid } from "./ids.js";
import { ValidationError } from "./validation-error.js";

/** Field rules shared by the RPCs and the REST routes; each throws ValidationError. */

export function requireUuid(field: string, value: string): string {
  if (value === "") throw new ValidationError(field, "is required");
  if (!isUuid(value)) throw new ValidationError(field, "must be a UUID");
  return value.toLowerCase();
}

export function optionalUuid(field: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : requireUuid(field, value);
}

export function requireNonEmpty(field: string, value: string): string {
  if (value.trim() === "") throw new ValidationError(field, "is required");
  return value;
}

/** Length in Unicode code points, as protovalidate's max_len counts characters. */
export function maxLength(field: string, value: string, max: number): string {
  if (codePoints(value) > max) {
    throw new ValidationError(field, `must be at most ${max} characters`);
  }
  return value;
}

export function lengthBetween(field: string, value: string, min: number, max: number): string {
  const n = codePoints(value);
  if (n < min || n > max) {
    throw new ValidationError(field, `must be between ${min} and ${max} characters`);
  }
  return value;
}

export function requireUri(field: string, value: string): string {
  requireNonEmpty(field, value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, "must be an absolute URI");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError(field, "must be an http or https URI");
  }
  return value;
}

// RFC 1123 host name with at least two labels, labels 1..63 characters.
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export function domainName(field: string, value: string): string {
  lengthBetween(field, value, 4, 253);
  if (!DOMAIN.test(value)) throw new ValidationError(field, "must be a domain name");
  return value.toLowerCase();
}

export function uniqueItems(field: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    const k = v.toLowerCase();
    if (seen.has(k)) throw new ValidationError(field, `must not repeat "${v}"`);
    seen.add(k);
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
