/** Where a JSON text first breaks the grammar, and what was expected there. */
export interface JsonSyntaxError {
  /** Offset in the text (UTF-16 code units), and the same as line and column (1-based). */
  position: number;
  line: number;
  column: number;
  expected: string;
}

const MAX_DEPTH = 512;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses JSON, and when it does not parse says where and what was expected. V8's messages give
 * no position for some mistakes ("Unexpected token '}', ... is not valid JSON") and quote the
 * body back; a client needs the line and column. Only text that JSON.parse refused is scanned
 * (a small recursive-descent scanner of RFC 8259's grammar), so valid bodies cost one parse.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: locate(text) ?? fromV8(text, err) };
  }
}

function locate(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (expected: string): never => {
    throw new Located(at(text, i, expected));
  };
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail("no raw control character inside a string (escape it, e.g. \\n)");
      if (c === 0x5c) {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail("four hex digits after \\u");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "?")) {
          fail('an escape: one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX');
        }
      }
      i++;
    }
    fail('a closing " of the string');
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nesting at most ${MAX_DEPTH} levels deep`);
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === "{") {
          if (text[i] !== '"') fail('a property name in double quotes');
          string();
          ws();
          if (text[i] !== ":") fail('":" after the property name');
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`"," or "${close}"`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(i >= text.length ? "a value, but the body ends here" : "a JSON value (object, array, string, number, true, false or null)");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail("the end of the body after the first JSON value");
    return undefined;
  } catch (err) {
    if (err instanceof Located) return err.error;
    throw err;
  }
}

class Located {
  constructor(readonly error: JsonSyntaxError) {}
}

function at(text: string, position: number, expected: string): JsonSyntaxError {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1) + 1;
  return { position, line, column, expected };
}

/** The scanner and V8 disagree (they should not): V8's own words, with its position if any. */
function fromV8(text: string, err: unknown): JsonSyntaxError {
  const message = err instanceof Error ? err.message : String(err);
  const position = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
  return at(text, position, message.replace(/, ".*" is not valid JSON$/s, ""));
}
