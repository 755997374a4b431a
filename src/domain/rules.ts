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

/**
 * An http(s) URI of at most `max` characters. Plain http only for a loopback host (a local
 * identity provider in development); anything reachable by others must be https.
 */
export function requireUri(field: string, value: string, max = 1024): string {
  requiredText(field, value, max);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, "must be an absolute URI");
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new ValidationError(field, "must be an https URI (http only for localhost, 127.0.0.0/8 or [::1])");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError(field, "must be an https URI");
  }
  return value;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
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

/**
 * Text a person or a system reads back: no control characters (C0, DEL, C1; tab, line feed and
 * carriage return only where `multiline`), no unpaired UTF-16 surrogate (JSON's "\ud800"), no
 * U+FFFD (what invalid UTF-8 in a binary request decodes to). Stored as given otherwise.
 */
export function plainText(field: string, value: string, options: { multiline?: boolean } = {}): string {
  let index = 0;
  for (const ch of value) {
    index++;
    const c = ch.codePointAt(0)!;
    const allowedWhiteSpace = options.multiline === true && (c === 0x09 || c === 0x0a || c === 0x0d);
    if ((c < 0x20 || (c >= 0x7f && c <= 0x9f)) && !allowedWhiteSpace) {
      throw new ValidationError(field, `must not contain control characters (found ${codePointName(c)} at character ${index})`);
    }
    if (c >= 0xd800 && c <= 0xdfff) throw new ValidationError(field, `must be valid UTF-8 text (found an unpaired surrogate ${codePointName(c)} at character ${index})`);
    if (c === 0xfffd) throw new ValidationError(field, `must be valid UTF-8 text (found U+FFFD, what undecodable bytes become, at character ${index})`);
  }
  return value;
}

/** A required text value: present, not only white space, plain text, at most `max` characters. */
export function requiredText(field: string, value: string, max: number): string {
  if (value === "") throw new ValidationError(field, "is required");
  return optionalText(field, value, max);
}

/** An optional text value: empty is fine, white space alone is not (it looks empty where shown). */
export function optionalText(field: string, value: string, max: number, options: { multiline?: boolean } = {}): string {
  if (value !== "" && value.trim() === "") throw new ValidationError(field, "must not be only white space");
  plainText(field, value, options);
  return maxLength(field, value, max);
}

/** At most `max` items in a list field. */
export function maxItems<T>(field: string, values: readonly T[], max: number): readonly T[] {
  if (values.length > max) throw new ValidationError(field, `must have at most ${max} items (got ${values.length})`);
  return values;
}

function codePointName(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
}
