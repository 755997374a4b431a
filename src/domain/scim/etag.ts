/**
 * Versions as weak ETags (RFC 7644 §3.14): `meta.version` and the `ETag` header are `W/"<version>"`,
 * where version is the record's integer, bumped on every change. Weak, because the same version
 * renders differently with `attributes`/`excludedAttributes` and another base URL.
 */

/** The weak ETag of a version: `W/"3"`. */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * The versions an `If-Match` or `If-None-Match` header names, or "*" for any. Accepts a comma list
 * of weak or strong tags (`W/"3", "4"`) and, leniently, bare numbers (`3`); a tag that is no
 * version of ours (`"abc"`) matches nothing and is left out, so a header of only such tags gives
 * an empty list (If-Match: 412). An empty or blank header gives an empty list too.
 */
export function parseIfMatch(header: string): number[] | "*" {
  const versions: number[] = [];
  for (const part of header.split(",")) {
    const tag = part.trim();
    if (tag === "*") return "*";
    const match = /^(?:W\/)?"?(\d{1,15})"?$/i.exec(tag);
    if (match) versions.push(Number(match[1]));
  }
  return versions;
}

/** Whether a parsed If-Match / If-None-Match list names `version`. */
export const etagMatches = (parsed: number[] | "*", version: number): boolean => parsed === "*" || parsed.includes(version);
