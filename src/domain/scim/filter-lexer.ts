/**
 * Tokens of the SCIM filter and PATCH path grammar (RFC 7644 §3.4.2.2, §3.5.2). Positions are
 * 1-based character offsets, so error details can point at the character a person should fix.
 */
export type TokenType = "word" | "string" | "number" | "(" | ")" | "[" | "]" | "." | "end";

export interface Token {
  type: TokenType;
  /** The source text of the token. */
  text: string;
  /** 1-based offset of the token's first character. */
  position: number;
  /** The decoded value of a string or number token. */
  value?: string | number;
}

/**
 * A word is an attribute path, an operator or a keyword. Paths may be URN-qualified
 * ("urn:ietf:params:scim:schemas:core:2.0:User:userName"), dotted ("name.familyName") and name
 * "$ref", so colons, dots and "$" belong to a word; RFC 7643 §2.1 ATTRNAME adds "-" and "_".
 */
const WORD = /[A-Za-z$][A-Za-z0-9_:.$-]*/y;
/** RFC 8259 number. */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** RFC 8259 string: no raw control characters, only the JSON escapes. */
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const WHITESPACE = /\s+/y;

/** Thrown with a 1-based position; the parser turns it into the ScimError of its context. */
export class SyntaxProblem extends Error {
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`at character ${position}: ${problem}`);
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  while (i < text.length) {
    const ws = match(WHITESPACE);
    if (ws) {
      i += ws.length;
      continue;
    }
    const c = text[i]!;
    const position = i + 1;
    if ("()[].".includes(c)) {
      tokens.push({ type: c as TokenType, text: c, position });
      i += 1;
    } else if (c === '"') {
      const s = match(STRING);
      if (s === undefined) throw new SyntaxProblem(position, `malformed string: a value is a JSON string in double quotes, with \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX as its only escapes and a closing quote`);
      tokens.push({ type: "string", text: s, position, value: JSON.parse(s) as string });
      i += s.length;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      const n = match(NUMBER);
      if (n === undefined) throw new SyntaxProblem(position, `malformed number`);
      tokens.push({ type: "number", text: n, position, value: Number(n) });
      i += n.length;
    } else {
      const w = match(WORD);
      if (w === undefined) throw new SyntaxProblem(position, `unexpected character '${c}'`);
      tokens.push({ type: "word", text: w, position });
      i += w.length;
    }
  }
  tokens.push({ type: "end", text: "end of text", position: text.length + 1 });
  return tokens;
}
