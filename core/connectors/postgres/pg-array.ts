/**
 * Parser of PostgreSQL's one-dimensional array literal (PG manual §8.15.6): `{a,"b c",NULL,"q\"x"}`.
 * Multi-dimensional arrays are flattened in order.
 */
import { InvalidInputError } from '../../errors';

/** The elements of an array literal as text; `null` for NULL. */
export function parseArrayLiteral(text: string): (string | null)[] {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0; // skip explicit bounds `[1:3]={...}`
  const out: (string | null)[] = [];
  if (text[i] !== '{') throw new InvalidInputError(`bad array literal ${text.slice(0, 40)}`);
  while (i < text.length) {
    const c = text[i];
    if (c === '{' || c === ',' || c === '}' || c === ' ') {
      i++;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        v += text[i++];
      }
      i++;
      out.push(v);
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ',' && text[j] !== '}') j++;
    const raw = text.slice(i, j).trim();
    out.push(raw === 'NULL' ? null : raw);
    i = j;
  }
  return out;
}
