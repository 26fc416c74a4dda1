/**
 * Case numbers a person can read out and key in on a phone: digits only, ending in a Damm
 * check digit, which catches every single mistyped digit and every swap of two neighbouring
 * digits — the two mistakes people make on a keypad.
 */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function damm(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![ch.charCodeAt(0) - 48]!;
  return interim;
}

/** The number for the `sequence`-th case of a China date (YYYY-MM-DD): YYMMDD, a 4-digit (or longer) sequence, the check digit. */
export function caseNumber(chinaDate: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`case sequence must be a whole number ≥ 1, got ${sequence}`);
  const body = chinaDate.replace(/-/g, '').slice(2) + String(sequence).padStart(4, '0');
  return body + String(damm(body));
}

/** Whether what a caller keyed in is a well-formed case number (the check digit holds). */
export function isCaseNumber(s: string): boolean {
  return /^\d{11,14}$/.test(s) && damm(s) === 0;
}
