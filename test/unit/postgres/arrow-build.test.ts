import { Decimal, Field, Int64, makeVector, TimestampMicrosecond } from 'apache-arrow';
import { buildColumn } from '../../../core/connectors/postgres/arrow-build';
import { scaledText } from '../../../core/connectors/postgres/copy-encoder';
import type { SourceColumn } from '../../../core/connectors/postgres/pg-to-arrow';

describe('source column builders', () => {
  it('reads 64-bit integers exactly on the short (number) and long (BigInt) paths', () => {
    const values = ['0', '-1', '123456789012345', '-123456789012345', '9007199254740993', '-9223372036854775808', null];
    const c: SourceColumn = { name: 'v', pgType: 'bigint', kind: 'int64', iceberg: 'long' };
    const data = buildColumn(c, new Field('v', new Int64()), values);
    expect(Array.from({ length: values.length }, (_, i) => (data.values as BigInt64Array)[i])).toEqual([
      0n,
      -1n,
      123456789012345n,
      -123456789012345n,
      9007199254740993n,
      -9223372036854775808n,
      0n,
    ]);
    expect(makeVector(data).get(6)).toBeNull();
  });

  it('reads timestamps (epoch microseconds) before 1970', () => {
    const c: SourceColumn = { name: 't', pgType: 'timestamp', kind: 'timestamp', iceberg: 'timestamp' };
    const data = buildColumn(c, new Field('t', new TimestampMicrosecond()), ['-62135596800000000', '-1']);
    expect(Array.from(data.values as BigInt64Array)).toEqual([-62135596800000000n, -1n]);
  });

  it.each([2, 0, 5])('reads decimals at scale %i exactly on both paths', (scale) => {
    const unscaled = [0n, -5n, 1234567890123n, -99999999999999n, 123456789012345678901234567n, -(10n ** 30n) - 1n];
    const c: SourceColumn = {
      name: 'd',
      pgType: `numeric(38,${scale})`,
      kind: 'decimal',
      precision: 38,
      scale,
      iceberg: '',
    };
    const data = buildColumn(
      c,
      new Field('d', new Decimal(scale, 38, 128)),
      unscaled.map((u) => scaledText(String(u), scale)),
    );
    const words = data.values as Uint32Array;
    const got = unscaled.map((_, i) => {
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(words[i * 4 + k] as number);
      return BigInt.asIntN(128, v);
    });
    expect(got).toEqual(unscaled);
  });
});
