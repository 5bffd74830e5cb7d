import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { print } from '../../src/cli/output.js';

/** What `print` writes, line by line. */
function printed(rows: Record<string, unknown>[]): string[] {
  const log = mock.method(console, 'log', () => {});
  try {
    print(false, rows, rows);
    return log.mock.calls.map((call) => String(call.arguments[0]));
  } finally {
    log.mock.restore();
  }
}

describe('CLI tables', () => {
  it('show control characters and bidirectional overrides as escapes: a value cannot forge rows or reorder text', () => {
    const lines = printed([
      { id: 'a1', summary: 'lift it\nb2  approved  a forged row' },
      { id: 'c3', summary: '\u202eevil\u2066 \u0007' },
    ]);
    assert.equal(lines.length, 3, 'a header and one line per row');
    assert.match(lines[1]!, /lift it\\u000ab2 {2}approved/);
    assert.match(lines[2]!, /\\u202eevil\\u2066 \\u0007/);
    for (const line of lines)
      for (const raw of ['\n', '\u202e', '\u2066', '\u0007']) assert.ok(!line.includes(raw));
  });

  it('leaves ordinary text, unicode included, as it is', () => {
    const lines = printed([{ name: 'Zoë — 東京', n: 3 }]);
    assert.deepEqual(lines, ['NAME      N', 'Zoë — 東京  3']);
  });
});
