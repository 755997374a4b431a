/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** The Unleash form: the key itself, with or without `Bearer `. */
export function bareOrBearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  return bearerToken(header) ?? (/^\S+$/.test(header.trim()) ? header.trim() : undefined);
}
