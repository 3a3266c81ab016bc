const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * How deeply objects and arrays nest in a JSON text: `{}` is 1, `{"a":[1]}` is 2. One linear pass
 * over the bytes, no recursion and no parsing, so a body nested thousands of levels deep costs no
 * more than a flat one. Brackets inside strings do not count; a backslash in a string skips the
 * byte after it, so `\"` does not end the string. UTF-8 never uses bytes below 0x80 inside a
 * multi-byte character, so scanning bytes is safe. Expects JSON already known to parse.
 */
export function nestingDepthOf(json: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < json.length; index += 1) {
    const byte = json[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return deepest;
}
