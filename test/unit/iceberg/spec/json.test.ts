import { parseJson, stringifyJson } from '../../../../core/iceberg/spec/json';

describe('lossless json', () => {
  it('keeps integers beyond 2^53 as bigint and small ones as numbers', () => {
    const v = parseJson('{"a": 9007199254740993, "b": 12, "c": -9223372036854775808, "d": 1.5, "e": 1e3}');
    expect(v).toEqual({ a: 9007199254740993n, b: 12, c: -9223372036854775808n, d: 1.5, e: 1000 });
  });

  it('parses strings with escapes, arrays, nested objects, literals', () => {
    expect(parseJson('[true,false,null,"a\\"b\\u00e9\\n",{"x":[]}]')).toEqual([true, false, null, 'a"bé\n', { x: [] }]);
  });

  it.each(['{', '{"a":}', '[1,]', '"abc', '{"a":1} x', ''])('rejects malformed json %p', (text) => {
    expect(() => parseJson(text)).toThrow(/offset/);
  });

  it('writes bigint as plain json numbers and round-trips', () => {
    const value = { id: 7505300640432048841n, list: [1, 'x', null, { y: true }], skip: undefined };
    const text = stringifyJson(value);
    expect(text).toBe('{"id":7505300640432048841,"list":[1,"x",null,{"y":true}]}');
    expect(parseJson(text)).toEqual({ id: 7505300640432048841n, list: [1, 'x', null, { y: true }] });
    expect(parseJson(stringifyJson(value, 2))).toEqual(parseJson(text));
  });

  it('refuses absurd nesting with a syntax error, not a stack overflow', () => {
    expect(() => parseJson('['.repeat(100_000))).toThrow(/nesting deeper than 512/);
  });

  it('does not let __proto__ keys pollute objects', () => {
    const v = parseJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });
});
