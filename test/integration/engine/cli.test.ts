import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { RecordBatch } from 'apache-arrow';
import { main } from '../../../cli/main';
import type { JobState, Sink, StagedChunk } from '../../../core/connectors/types';
import type { RunSummary } from '../../../core/engine';
import { registerSink } from '../../../core/movement';
import { expectValid } from '../../unit/statemachines/asl-validate';

const DEPOTS = `name: gen
version: v1
type: depot
depot:
  type: generator
  generator:
    rows: 2500
    seed: 5
---
name: pg
version: v1
type: depot
depot:
  type: postgresql
  postgresql:
    embedded:
      path: ./pgdata
`;

const WORKFLOW = `name: cli-wf
version: v1
type: workflow
workspace: sandbox
workflow:
  dag:
    - name: load
      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://gen
            options:
              source-table: sales.orders
              page-size: 1000
          sink:
            address: dataos://pg
            options:
              dest-table: retail.orders
`;

/** A sink double for the `postgresql` depot type in this test process only (runs use --parallelism 0). */
const committed: JobState[] = [];
registerSink('postgresql', () => {
  const staged = new Map<string, number>();
  const sink: Sink = {
    async prepare() {},
    async stage(_ctx, _o, chunkId, batches: AsyncIterable<RecordBatch>): Promise<StagedChunk> {
      let rows = 0;
      for await (const b of batches) rows += b.numRows;
      staged.set(chunkId, rows);
      return { chunkId, rows, bytes: rows };
    },
    async commit(_ctx, _o, chunks, state) {
      committed.push(state);
      return {
        rowsWritten: chunks.reduce((n, c) => n + c.rows, 0),
        rowsDeleted: 0,
        sinkVersion: `tx${committed.length}`,
      };
    },
    async abort() {},
    async readState(jobId) {
      return committed.filter((s) => s.jobId === jobId).at(-1);
    },
  };
  return sink;
});

async function cli(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const code = await main(argv, { stdout, stderr, isTTY: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('icefloe plan / run', () => {
  let dir: string;
  let cwd: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-cli-'));
    writeFileSync(join(dir, 'depots.yaml'), DEPOTS);
    writeFileSync(join(dir, 'workflow.yaml'), WORKFLOW);
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('plan prints a valid state machine', async () => {
    const r = await cli('plan', join(dir, 'workflow.yaml'));
    expect(r.code).toBe(0);
    const asl = JSON.parse(r.stdout);
    expect(asl.StartAt).toBe('load');
    expectValid(asl);
  });

  it('run --json moves every generated row and prints the summary', async () => {
    const r = await cli('run', join(dir, 'workflow.yaml'), '--json', '--parallelism', '0');
    expect(r.stderr).toContain('job load: planned 3 chunk(s)');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as RunSummary;
    expect(s).toMatchObject({ workflow: 'cli-wf', status: 'succeeded' });
    expect(s.jobs[0]).toMatchObject({
      job: 'load',
      jobId: 'sandbox.cli-wf.load',
      status: 'succeeded',
      chunks: 3,
      rowsRead: 2500,
      rowsWritten: 2500,
      sourceCursor: 'seed=5;rows=2500',
      sinkVersion: 'tx1',
    });
  });

  it('run prints plain progress and a summary table without --json; a second run reads nothing new', async () => {
    const r = await cli('run', 'workflow.yaml', '--parallelism', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/job load: planned 0 chunk\(s\), incremental since seed=5;rows=2500/);
    expect(r.stdout).toMatch(/^job\s+status\s+chunks\s+rows read\s+rows written/m);
    expect(r.stdout).toMatch(/^load\s+succeeded\s+0\s+0\s+0/m);
  });

  it('rejects bad arguments and manifests with exit 2', async () => {
    expect((await cli('run', 'workflow.yaml', '--parallelism', 'many')).code).toBe(2);
    writeFileSync(
      join(dir, 'broken.yaml'),
      WORKFLOW.replace('dataos://pg', 'dataos://nowhere').replace('cli-wf', 'broken'),
    );
    const r = await cli('run', 'broken.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+: .*nowhere/);
    rmSync(join(dir, 'broken.yaml'));
  });
});
