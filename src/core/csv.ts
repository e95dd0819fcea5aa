// CSV (RFC 4180) for exports that people open in spreadsheets: every cell quoted when it needs to
// be, CRLF line ends, and cells that a spreadsheet would run as a formula (= + - @, tab, CR) are
// prefixed with a single quote (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
