import {
  Field,
  FixedSizeBinary,
  Float32,
  Int8,
  Int32,
  List,
  Struct,
  TimestampMillisecond,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { evolveColumn, pgTypeFor } from '../../../core/connectors/postgres/arrow-to-pg';
import { parseArrayLiteral } from '../../../core/connectors/postgres/pg-array';
import { sourceColumn } from '../../../core/connectors/postgres/pg-to-arrow';

describe('arrow → postgres type map', () => {
  it.each([
    [new Field('a', new Int8()), 'smallint'],
    [new Field('a', new Uint64()), 'numeric(20,0)'],
    [new Field('a', new Float32()), 'real'],
    [new Field('a', new TimestampMillisecond('Europe/Paris')), 'timestamp with time zone'],
    [new Field('a', new FixedSizeBinary(16)), 'bytea'],
    [new Field('a', new FixedSizeBinary(16), true, new Map([['ARROW:extension:name', 'arrow.uuid']])), 'uuid'],
    [new Field('a', new List(new Field('i', new Utf8()))), 'text[]'],
    [new Field('a', new List(new Field('i', new List(new Field('j', new Int32()))))), 'jsonb'],
    [new Field('a', new Struct([new Field('x', new Int32())])), 'jsonb'],
    [new Field('a', new Utf8(), true, new Map([['icefloe:pg-type', 'jsonb']])), 'jsonb'],
  ])('%s → %s', (field, type) => expect(pgTypeFor(field)).toBe(type));

  it.each([
    ['decimal(18, 2)', 'numeric(18,2)'],
    ['Long', 'bigint'],
    ['string', 'text'],
    ['timestamptz', 'timestamp with time zone'],
    ['uuid', 'uuid'],
  ])('type hint %s → %s', (hint, type) => expect(pgTypeFor(new Field('c', new Float32()), { c: hint })).toBe(type));

  it('rejects an unknown type hint naming the column', () =>
    expect(() => pgTypeFor(new Field('c', new Int32()), { c: 'money' })).toThrow('column c: unknown type hint money'));

  it('takes a uuid type hint', () =>
    expect(pgTypeFor(new Field('id', new FixedSizeBinary(16)), { id: 'uuid' })).toBe('uuid'));
});

describe('schema evolution rules', () => {
  it.each([
    ['integer', 'integer', { action: 'keep' }],
    ['integer', 'bigint', { action: 'widen', to: 'bigint' }],
    ['bigint', 'integer', { action: 'keep' }],
    ['smallint', 'integer', { action: 'widen', to: 'integer' }],
    ['real', 'double precision', { action: 'widen', to: 'double precision' }],
    ['double precision', 'integer', { action: 'keep' }],
    ['numeric(10,2)', 'numeric(12,4)', { action: 'widen', to: 'numeric(12,4)' }],
    ['numeric(10,2)', 'numeric(8,1)', { action: 'keep' }],
    ['numeric(10,2)', 'numeric(10,4)', { action: 'widen', to: 'numeric(12,4)' }],
    ['numeric', 'numeric(38,10)', { action: 'keep' }],
    ['numeric(12,0)', 'bigint', { action: 'widen', to: 'numeric(19,0)' }],
    ['character varying(20)', 'text', { action: 'widen', to: 'text' }],
  ])('%s ← %s', (have, want, ev) => expect(evolveColumn(have, want)).toEqual(ev));

  it.each([
    ['bigint', 'text'],
    ['timestamp without time zone', 'timestamp with time zone'],
    ['integer', 'double precision'],
    ['jsonb', 'text'],
  ])('%s ← %s is impossible', (have, want) => expect(evolveColumn(have, want).action).toBe('error'));
});

describe('postgres → arrow type map', () => {
  it.each([
    ['numeric(10,2)', 'decimal', 'decimal(10, 2)'],
    ['numeric', 'text', 'string'],
    ['numeric(50,2)', 'text', 'string'],
    ['jsonb', 'text', 'string'],
    ['timestamp(3) with time zone', 'timestamptz', 'timestamptz'],
    ['time without time zone', 'time', 'time'],
    ['interval', 'text', 'string'],
  ])('%s', (type, kind, iceberg) =>
    expect(sourceColumn({ name: 'c', type, typtype: 'b', category: 'N' })).toMatchObject({ kind, iceberg }),
  );

  it('maps arrays of primitives to lists and others to strings', () => {
    expect(sourceColumn({ name: 'c', type: 'text[]', typtype: 'b', category: 'A', elementType: 'text' })).toMatchObject(
      {
        kind: 'array',
        element: 'text',
        iceberg: 'list<string>',
      },
    );
    expect(sourceColumn({ name: 'c', type: 'date[]', typtype: 'b', category: 'A', elementType: 'date' }).kind).toBe(
      'text',
    );
  });
});

describe('array literal parser', () => {
  it.each([
    ['{}', []],
    ['{1,2,NULL}', ['1', '2', null]],
    ['{"a,b","q\\"x","back\\\\","NULL",""}', ['a,b', 'q"x', 'back\\', 'NULL', '']],
    ['{{1,2},{3,4}}', ['1', '2', '3', '4']],
    ['[0:1]={7,8}', ['7', '8']],
  ])('%s', (text, values) => expect(parseArrayLiteral(text)).toEqual(values));
});
