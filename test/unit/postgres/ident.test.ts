import {
  parseTableName,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  stagingTableName,
} from '../../../core/connectors/postgres/ident';
import { InvalidInputError } from '../../../core/errors';

describe('sql identifiers', () => {
  it.each([
    ['orders', '"orders"'],
    ['Mixed Case', '"Mixed Case"'],
    ['weird"; drop table x;--', '"weird""; drop table x;--"'],
  ])('quotes %j as %s', (name, quoted) => expect(quoteIdent(name)).toBe(quoted));

  it('refuses empty names and nul characters', () => {
    expect(() => quoteIdent('')).toThrow(InvalidInputError);
    expect(() => quoteIdent('a\u0000b')).toThrow(/nul/);
  });

  it('quotes literals by doubling single quotes', () => expect(quoteLiteral("it's")).toBe("'it''s'"));

  it('quotes backslashes in the E form, safe under either standard_conforming_strings', () =>
    expect(quoteLiteral("a\\'b")).toBe("E'a\\\\''b'"));

  it.each([
    ['t', { schema: 'public', table: 't' }],
    ['s.t', { schema: 's', table: 't' }],
    ['"My.Schema"."a""b"', { schema: 'My.Schema', table: 'a"b' }],
    ['s."weird""; drop table x;--"', { schema: 's', table: 'weird"; drop table x;--' }],
    ['weird"; drop table x;--', { schema: 'public', table: 'weird"; drop table x;--' }],
  ])('parses %s', (text, name) => expect(parseTableName(text)).toEqual(name));

  it.each(['a.b.c', 'a.', '"open', '""'])('rejects %j', (text) =>
    expect(() => parseTableName(text)).toThrow(InvalidInputError),
  );

  it('round-trips quoteQualified through parseTableName', () => {
    const name = { schema: 's"1', table: 'x.y' };
    expect(parseTableName(quoteQualified(name))).toEqual(name);
  });

  it('names staging per job and run, stable and within the 63-byte identifier limit', () => {
    const a = stagingTableName('ws.wf.job', 'run-1');
    expect(a).toBe(stagingTableName('ws.wf.job', 'run-1'));
    expect(a).not.toBe(stagingTableName('ws.wf.job', 'run-2'));
    expect(`${a}_chunks`.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^icefloe_stage_[0-9a-f]{24}$/);
  });
});
