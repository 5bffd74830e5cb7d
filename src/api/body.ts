import express, { type RequestHandler } from 'express';
import { CustosError } from '../errors/index.js';

/**
 * The first key that appears twice in one object of `json`, or null. JSON.parse keeps the last value silently, so
 * `{"status":"rejected","status":"approved"}` would be read differently by two parsers; Custos refuses it. Keys are
 * compared after unescaping (`"a"` and `"\u0061"` are the same key). Tolerant of invalid JSON: the parser reports
 * that.
 */
export function duplicateKey(json: string): string | null {
  const objects: (Set<string> | null)[] = []; // null marks an array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (keys && expectKey) {
        let key: string;
        try {
          key = JSON.parse(json.slice(i, end + 1)) as string;
        } catch {
          return null;
        }
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
    } else if (c === '}' || c === ']') {
      objects.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] instanceof Set;
    }
  }
  return null;
}

/**
 * Reads and parses a JSON body of at most `limit`. Mounted per route after authentication, never globally: a
 * request without a valid key is answered before a byte of its body is read. Keeps the raw bytes (webhook HMACs are
 * computed over them) and refuses duplicate keys.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({
    limit,
    strict: true,
    verify: (req, _res, buffer) => {
      (req as express.Request).rawBody = buffer;
      const duplicate = duplicateKey(buffer.toString('utf8'));
      if (duplicate !== null) {
        throw new CustosError('MALFORMED_JSON', `the request body names "${duplicate}" twice in one object`);
      }
    },
  });
  return (req, res, next) => {
    // A form post must not reach a handler with an unparsed body; an empty body is the empty object.
    if (req.headers['content-length'] !== '0' && !req.is('application/json')) {
      throw new CustosError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    }
    void parse(req, res, next);
  };
}
