import { parseManifestText } from '../../../core/manifest';
import type { JobOptions, WorkflowManifest } from '../../../core/manifest/types';

/** One job whose source and sink options are `source` / `sink` (YAML text, indented 14 spaces). */
function jobOptions(source: string, sink: string): { src: JobOptions; sink: JobOptions; problems: string[] } {
  const indent = (s: string) =>
    s
      .split('\n')
      .map((l) => `              ${l}`)
      .join('\n');
  const text = `name: wf
version: v1
type: workflow
workflow:
  dag:
    - name: j
      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://a
            options:
${indent(source)}
          sink:
            address: dataos://b
            options:
${indent(sink)}
`;
  const { manifests, problems } = parseManifestText(text, 'wf.yaml');
  const node = (manifests[0] as WorkflowManifest | undefined)?.workflow.dag[0];
  return {
    src: node?.spec.stackSpec.source.options ?? {},
    sink: node?.spec.stackSpec.sink.options ?? {},
    problems: problems.map((p) => `${p.line}:${p.col}: ${p.message}`),
  };
}

const cases: { kebab: string; yaml: string; expected: JobOptions }[] = [
  { kebab: 'source-table', yaml: 'sales.orders', expected: { sourceTable: 'sales.orders' } },
  { kebab: 'source-table', yaml: '"query:select * from t"', expected: { sourceQuery: 'select * from t' } },
  { kebab: 'dest-table', yaml: 'retail.orders', expected: { destTable: 'retail.orders' } },
  { kebab: 'incremental-strategy', yaml: 'merge', expected: { incrementalStrategy: 'merge' } },
  { kebab: 'primary-key', yaml: '"order_id, line_no"', expected: { primaryKey: ['order_id', 'line_no'] } },
  { kebab: 'primary-key', yaml: '[a, b]', expected: { primaryKey: ['a', 'b'] } },
  { kebab: 'incremental-key', yaml: 'updated_at', expected: { incrementalKey: 'updated_at' } },
  { kebab: 'interval-start', yaml: '2024-01-01T00:00:00Z', expected: { intervalStart: '2024-01-01T00:00:00Z' } },
  { kebab: 'interval-end', yaml: '2024-02-01', expected: { intervalEnd: '2024-02-01' } },
  { kebab: 'partition-by', yaml: 'region', expected: { partitionBy: [{ column: 'region', type: 'identity' }] } },
  {
    kebab: 'partition-by',
    yaml: '[{column: ts, type: day}, {column: id, type: bucket, bucket-count: 16}, {column: s, type: truncate, width: 4, name: s4}]',
    expected: {
      partitionBy: [
        { column: 'ts', type: 'day' },
        { column: 'id', type: 'bucket', bucketCount: 16 },
        { column: 's', type: 'truncate', width: 4, name: 's4' },
      ],
    },
  },
  { kebab: 'cluster-by', yaml: 'a,b', expected: { clusterBy: ['a', 'b'] } },
  { kebab: 'page-size', yaml: '1000', expected: { pageSize: 1000 } },
  { kebab: 'extract-parallelism', yaml: '8', expected: { extractParallelism: 8 } },
  { kebab: 'loader-file-size', yaml: '"500000"', expected: { loaderFileSize: 500000 } },
  { kebab: 'type-hints', yaml: '{amount: "decimal(18,2)"}', expected: { typeHints: { amount: 'decimal(18,2)' } } },
  { kebab: 'mask', yaml: '{email: hash}', expected: { mask: { email: 'hash' } } },
  { kebab: 'full-refresh', yaml: 'true', expected: { fullRefresh: true } },
  { kebab: 'sql-reflection-level', yaml: 'fast', expected: { sqlReflectionLevel: 'fast' } },
  { kebab: 'sql-limit', yaml: '10', expected: { sqlLimit: 10 } },
  { kebab: 'sql-exclude-columns', yaml: 'a, b', expected: { sqlExcludeColumns: ['a', 'b'] } },
  { kebab: 'yield-limit', yaml: '3', expected: { yieldLimit: 3 } },
  { kebab: 'max-table-nesting', yaml: '2', expected: { maxTableNesting: 2 } },
  { kebab: 'staging-bucket', yaml: 'tmp-bucket', expected: { stagingBucket: 'tmp-bucket' } },
  { kebab: 'aws-region', yaml: 'eu-west-1', expected: { awsRegion: 'eu-west-1' } },
  { kebab: 'aws-endpoint', yaml: 'http://127.0.0.1:4568', expected: { awsEndpoint: 'http://127.0.0.1:4568' } },
];

const spellings = cases.flatMap((c) => [
  { ...c, spelling: c.kebab },
  { ...c, spelling: c.kebab.replace(/-/g, '_') },
]);

describe('nilus job options', () => {
  it.each(spellings)('$spelling: $yaml', ({ spelling, yaml, expected }) => {
    const r = jobOptions(`${spelling}: ${yaml}`, 'dest-table: c.d');
    expect(r.problems).toEqual([]);
    expect(r.src).toEqual(expected);
  });

  it('accepts camelCase spellings too', () => {
    expect(jobOptions('sourceTable: a.b\npageSize: 5', 'destTable: c.d').src).toEqual({
      sourceTable: 'a.b',
      pageSize: 5,
    });
  });

  it('suggests the nearest known option for a typo', () => {
    const r = jobOptions('source-table: a.b', 'dest-table: c.d\nprimary_kee: id');
    expect(r.problems).toEqual(["18:15: sink.options: unknown option 'primary_kee'; did you mean 'primary-key'?"]);
  });

  it('keeps what is written and leaves defaults to the engine', () => {
    expect(jobOptions('source-table: a.b', 'dest-table: c.d').sink).toEqual({ destTable: 'c.d' });
  });
});
