// CSV (RFC 4180 §2) with the OWASP CSV-injection rule: a cell a spreadsheet would run as a formula
// gets a leading single quote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, csvLine } from '../../src/core/csv.ts';

test('plain cells are written as they are; null and undefined are empty', () => {
  assert.equal(csvCell('user.locked'), 'user.locked');
  assert.equal(csvCell('a=b+c-d@e'), 'a=b+c-d@e');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(-0), '0');
  assert.equal(csvCell(false), 'false');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(''), '');
});

test('RFC 4180: a cell with a quote, comma, CR or LF is quoted, inner quotes doubled', () => {
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('"'), '""""');
  assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
  assert.equal(csvCell('a\rb'), '"a\rb"');
  assert.equal(csvCell("it's"), `"it's"`);
});

test('formula injection: = + - @ tab CR at the start get a single quote (and so quotes)', () => {
  assert.equal(csvCell('=1+2'), `"'=1+2"`);
  assert.equal(csvCell('+1'), `"'+1"`);
  assert.equal(csvCell('-1'), `"'-1"`);
  assert.equal(csvCell(-5), `"'-5"`);
  assert.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
  assert.equal(csvCell('\tcmd'), `"'\tcmd"`);
  assert.equal(csvCell('\rcmd'), `"'\rcmd"`);
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell(' =1'), ' =1');
});

test('a line: cells joined by commas, ended by CRLF', () => {
  assert.equal(csvLine(['id', 'at', 'type']), 'id,at,type\r\n');
  assert.equal(csvLine([1, null, 'a,b', undefined, '=x']), `1,,"a,b",,"'=x"\r\n`);
  assert.equal(csvLine([]), '\r\n');
});
