import { parseManifestText } from '../../../core/manifest';
import type { DepotManifest, WorkflowManifest } from '../../../core/manifest/types';

const WORKFLOW = `name: wf
version: v1
type: workflow
workflow:
  title: nightly
  schedule:
    cron: '55 08 * * MON-FRI'
    timezone: Asia/Kolkata
    concurrencyPolicy: Forbid
    endOn: 2025-12-31T23:59:45Z
  dag:
    - name: a
      spec:
        stack: nilus:1.0
        logLevel: DEBUG
        resources:
          requests: { cpu: 250m, memory: 1Gi }
          limits: { cpu: 2, memory: 2048Mi }
        stackSpec:
          source: { address: 'dataos://pg:public/orders', options: { source_table: 'query:select * from t' } }
          sink: { address: 'dataos://lh', options: { dest_table: s.t, incremental_strategy: replace } }
      retry:
        count: 2
        duration: 1m30s
`;

describe('parseManifestText', () => {
  it('normalizes a workflow: schedule, resources, retry, endpoints', () => {
    const { manifests, problems } = parseManifestText(WORKFLOW, 'wf.yaml');
    expect(problems).toEqual([]);
    const wf = manifests[0] as WorkflowManifest;
    expect(wf.workflow.schedule).toEqual({
      cron: '55 08 * * MON-FRI',
      timezone: 'Asia/Kolkata',
      concurrencyPolicy: 'Forbid',
      endOn: '2025-12-31T23:59:45Z',
    });
    const node = wf.workflow.dag[0];
    expect(node?.spec.resources).toEqual({
      requests: { cpu: 250, memoryMiB: 1024 },
      limits: { cpu: 2000, memoryMiB: 2048 },
    });
    expect(node?.retry).toEqual({ count: 2, strategy: 'OnFailure', durationSeconds: 90 });
    expect(node?.dependencies).toEqual([]);
    expect(node?.source).toEqual({ file: 'wf.yaml', line: 12, col: 7 });
    expect(node?.spec.stackSpec.source).toEqual({
      address: 'dataos://pg:public/orders',
      depot: 'pg',
      collection: 'public',
      dataset: 'orders',
      options: { sourceQuery: 'select * from t' },
    });
    expect(node?.spec.stackSpec.sink.options).toEqual({ destTable: 's.t', incrementalStrategy: 'replace' });
    expect(wf.source).toEqual({ file: 'wf.yaml', line: 1, col: 1 });
  });

  it('reads several documents and positions problems in later ones', () => {
    const text = `# first\nname: d1\nversion: v1\ntype: depot\ndepot:\n  type: generator\n---\n---\nname: d2\nversion: v1\ntype: depot\ndepot:\n  type: jdbc\n  jdbc:\n    subprotocol: postgresql\n    host: db\n    port: 5433\n    params: "sslmode=require&application_name=x"\n`;
    const { manifests, problems } = parseManifestText(text, 'd.yaml');
    expect(problems).toEqual([]);
    expect(manifests.map((m) => [m.name, m.source.line])).toEqual([
      ['d1', 2],
      ['d2', 9],
    ]);
    expect((manifests[1] as DepotManifest).depot).toEqual({
      type: 'postgresql',
      secrets: [],
      postgresql: {
        host: 'db',
        port: 5433,
        database: 'postgres',
        params: { sslmode: 'require', application_name: 'x' },
      },
    });
    const bad = parseManifestText(text.replace('port: 5433', 'port: many'), 'd.yaml');
    expect(bad.problems).toEqual([
      { file: 'd.yaml', line: 17, col: 11, message: 'depot.jdbc.port: expected a number, got a string' },
    ]);
  });

  it('accepts the older DataOS depot form (capital type, connection under spec)', () => {
    const text =
      'name: d\nversion: v1\ntype: depot\ndepot:\n  type: JDBC\n  spec:\n    subprotocol: postgresql\n    host: db\n';
    const { manifests, problems } = parseManifestText(text, 'd.yaml');
    expect(problems).toEqual([]);
    expect((manifests[0] as DepotManifest).depot.postgresql).toEqual({
      host: 'db',
      port: 5432,
      database: 'postgres',
      params: {},
    });
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    const text = '\ufeffname: s\r\nversion: v1\r\ntype: instance-secret\r\ninstance-secret:\r\n  type: kv\r\n';
    expect(parseManifestText(text, 's.yaml').problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      "4:1: instance-secret: missing required field 'acl'",
      "4:1: instance-secret: missing required field 'data'",
      "5:9: instance-secret.type: must be one of key-value, key-value-properties; got 'kv'",
    ]);
  });

  it('skips empty documents and comment-only files', () => {
    expect(parseManifestText('# nothing\n---\n---\n', 'e.yaml')).toEqual({ manifests: [], problems: [] });
  });
});
