import {
  fieldDefault,
  fieldNameById,
  findFieldById,
  findFieldByName,
  highestFieldId,
  mappedFieldId,
  nameMappingFromSchema,
  parseNameMapping,
  parseTableMetadata,
  primitiveKind,
  type Schema,
  schemaById,
  selectColumns,
  sortOrderById,
  specById,
  tableNameMapping,
  valueFromJson,
} from '../../../../core/iceberg/spec';

const schema: Schema = {
  type: 'struct',
  'schema-id': 1,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    {
      id: 2,
      name: 'Location',
      required: false,
      type: { type: 'struct', fields: [{ id: 3, name: 'lat', required: false, type: 'double' }] },
    },
    {
      id: 4,
      name: 'tags',
      required: false,
      type: { type: 'list', 'element-id': 5, element: 'string', 'element-required': false },
    },
    {
      id: 6,
      name: 'props',
      required: false,
      type: { type: 'map', 'key-id': 7, key: 'string', 'value-id': 8, value: 'decimal(9, 2)', 'value-required': false },
    },
    { id: 9, name: 'added', required: false, type: 'int', 'initial-default': 42 },
  ],
};

describe('schema lookups', () => {
  it('finds fields by id anywhere, with full dotted names', () => {
    expect(findFieldById(schema, 3)?.name).toBe('lat');
    expect(fieldNameById(schema, 3)).toBe('Location.lat');
    expect(fieldNameById(schema, 5)).toBe('tags.element');
    expect(fieldNameById(schema, 7)).toBe('props.key');
    expect(findFieldById(schema, 8)?.type).toBe('decimal(9, 2)');
    expect(findFieldById(schema, 99)).toBeUndefined();
    expect(highestFieldId(schema)).toBe(9);
  });

  it('finds fields by name, case-insensitively when asked', () => {
    expect(findFieldByName(schema, 'Location.lat')?.id).toBe(3);
    expect(findFieldByName(schema, 'location.LAT')).toBeUndefined();
    expect(findFieldByName(schema, 'location.LAT', false)?.id).toBe(3);
  });

  it('selects top-level columns and reports unknown ones', () => {
    expect(selectColumns(schema, ['added', 'id']).fields.map((f) => f.id)).toEqual([1, 9]);
    expect(selectColumns(schema, ['ID'], false).fields.map((f) => f.id)).toEqual([1]);
    expect(selectColumns(schema, ['nope']).missing).toEqual(['nope']);
  });

  it('reads initial-default through the json single-value form', () => {
    const f = findFieldById(schema, 9);
    expect(valueFromJson('int', f?.['initial-default'])).toBe(42);
  });

  it.each([
    ['decimal(38,10)', { kind: 'decimal', precision: 38, scale: 10 }],
    ['fixed[16]', { kind: 'fixed', length: 16 }],
    ['timestamptz_ns', { kind: 'timestamptz_ns' }],
    ['variant', { kind: 'variant' }],
    ['geometry(srid:4326)', { kind: 'geometry', param: 'srid:4326' }],
    ['geography', { kind: 'geography' }],
  ])('knows primitive %s', (t, k) => {
    expect(primitiveKind(t)).toEqual(k);
  });

  it('rejects unknown types when parsing metadata', () => {
    const text = JSON.stringify({
      'format-version': 1,
      location: 'x',
      'last-updated-ms': 1,
      'last-column-id': 1,
      schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'bogus' }] },
      'partition-spec': [],
    });
    expect(() => parseTableMetadata(text)).toThrow(/unknown type 'bogus' of a/);
  });
});

describe('name mapping', () => {
  const mapping = parseNameMapping(
    '[{"field-id":1,"names":["id","record_id"]},{"field-id":2,"names":["location"],"fields":[{"field-id":3,"names":["lat","latitude"]}]},{"names":["ignored"]}]',
  );

  it('maps names and aliases to ids, nested', () => {
    expect(mappedFieldId(mapping, ['record_id'])).toBe(1);
    expect(mappedFieldId(mapping, ['location', 'latitude'])).toBe(3);
    expect(mappedFieldId(mapping, ['ignored'])).toBeUndefined();
    expect(mappedFieldId(mapping, ['nope'])).toBeUndefined();
  });

  it('builds a mapping from a schema (lists and maps by element/key/value)', () => {
    const m = nameMappingFromSchema(schema);
    expect(mappedFieldId(m, ['tags', 'element'])).toBe(5);
    expect(mappedFieldId(m, ['props', 'value'])).toBe(8);
    expect(mappedFieldId(m, ['Location', 'lat'])).toBe(3);
  });

  it('reads the table property and rejects bad json', () => {
    const meta = parseTableMetadata(
      JSON.stringify({
        'format-version': 1,
        location: 'x',
        'last-updated-ms': 1,
        'last-column-id': 1,
        schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'int' }] },
        'partition-spec': [],
        properties: { 'schema.name-mapping.default': '[{"field-id":1,"names":["a"]}]' },
      }),
    );
    expect(tableNameMapping(meta)).toEqual([{ 'field-id': 1, names: ['a'] }]);
    expect(() => parseNameMapping('{')).toThrow(/invalid name mapping/);
  });
});

describe('defaults and lookups', () => {
  it('reads initial-default and write-default as model values', () => {
    expect(fieldDefault({ type: 'date', 'initial-default': '2020-01-02' })).toBe(18263);
    expect(fieldDefault({ type: 'long', 'write-default': 7 }, 'write-default')).toBe(7n);
    expect(fieldDefault({ type: 'int' })).toBeNull();
  });

  it('finds schemas, specs and sort orders by id, naming a missing one', () => {
    const meta = parseTableMetadata(
      JSON.stringify({
        'format-version': 1,
        location: 's3://b/t',
        'last-updated-ms': 1,
        'last-column-id': 1,
        schema: { type: 'struct', 'schema-id': 4, fields: [{ id: 1, name: 'a', required: true, type: 'int' }] },
        'partition-spec': [],
      }),
    );
    expect(schemaById(meta, 4).fields[0]?.name).toBe('a');
    expect(sortOrderById(meta).fields).toEqual([]);
    expect(specById(meta, 0).fields).toEqual([]);
    expect(() => schemaById(meta, 9)).toThrow(/schema 9 not found in table s3:\/\/b\/t/);
    expect(() => specById(meta, 9)).toThrow(/partition spec 9 not found/);
  });
});
