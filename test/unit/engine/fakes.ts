/**
 * In-memory test doubles of the Source and Sink contracts, recording what the engine asked of them and when.
 */
import * as arrow from 'apache-arrow';
import type {
  ChunkPointer,
  CommitResult,
  JobState,
  RunContext,
  Sink,
  Source,
  SourcePlan,
  StagedChunk,
} from '../../../core/connectors/types';
import type { DepotManifest, JobOptions, ManifestSet, WorkflowManifest } from '../../../core/manifest/types';
import { ConnectorRegistry, schemaToJson } from '../../../core/movement';

export const SCHEMA = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false)]);

export interface Call {
  what: string;
  jobId: string;
  chunkId?: string;
  start: number;
  end: number;
}

/** Shared log of calls, with timestamps, for ordering assertions. */
export class Recorder {
  calls: Call[] = [];
  async timed<T>(what: string, jobId: string, chunkId: string | undefined, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.calls.push({ what, jobId, chunkId, start, end: performance.now() });
    }
  }
  /** [first start, last end] of a job's calls. */
  span(jobSuffix: string): [number, number] {
    const mine = this.calls.filter((c) => c.jobId.endsWith(`.${jobSuffix}`));
    return [Math.min(...mine.map((c) => c.start)), Math.max(...mine.map((c) => c.end))];
  }
}

/** A source of `chunks` chunks of `rows` ints each; `fail(chunkId, attempt)` may throw. */
export class FakeSource implements Source {
  attempts = new Map<string, number>();
  /** A fixed source position (an unchanged source); by default each plan advances it by one. */
  fixedCursor?: string;
  constructor(
    private readonly rec: Recorder,
    private readonly chunks = 3,
    private readonly rows = 10,
    private readonly fail?: (chunkId: string, attempt: number) => void,
    private readonly delayMs = 20,
  ) {}

  async plan(ctx: RunContext, _o: JobOptions, previous: JobState | undefined): Promise<SourcePlan> {
    return this.rec.timed('plan', ctx.jobId, undefined, async () => {
      const chunks: ChunkPointer[] = Array.from({ length: this.chunks }, (_, i) => ({
        chunkId: `c${i}`,
        weight: this.rows,
        spec: { i },
      }));
      return {
        schemaJson: schemaToJson(SCHEMA),
        chunks,
        cursor: this.fixedCursor ?? String(Number(previous?.cursor ?? 0) + 1),
        incremental: false,
        notes: [],
      };
    });
  }

  async *read(ctx: RunContext, _o: JobOptions, chunk: ChunkPointer): AsyncIterable<arrow.RecordBatch> {
    const attempt = (this.attempts.get(`${ctx.jobId}/${chunk.chunkId}`) ?? 0) + 1;
    this.attempts.set(`${ctx.jobId}/${chunk.chunkId}`, attempt);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.fail?.(chunk.chunkId, attempt);
    yield new arrow.RecordBatch({
      id: arrow.makeData({ type: new arrow.Int32(), length: this.rows, data: new Int32Array(this.rows) }),
    });
  }
}

/** A sink with a visible `target` per job, per-run staging, and committed state. */
export class FakeSink implements Sink {
  target = new Map<string, number>();
  staging = new Map<string, StagedChunk>();
  states = new Map<string, JobState>();
  aborted: string[] = [];
  constructor(private readonly rec: Recorder) {}

  async prepare(): Promise<void> {}
  async stage(
    ctx: RunContext,
    _o: JobOptions,
    chunkId: string,
    batches: AsyncIterable<arrow.RecordBatch>,
  ): Promise<StagedChunk> {
    return this.rec.timed('stage', ctx.jobId, chunkId, async () => {
      let rows = 0;
      for await (const b of batches) rows += b.numRows;
      const staged = { chunkId, rows, bytes: rows * 4 };
      this.staging.set(`${ctx.runId}/${ctx.jobId}/${chunkId}`, staged);
      return staged;
    });
  }
  async commit(ctx: RunContext, _o: JobOptions, chunks: StagedChunk[], state: JobState): Promise<CommitResult> {
    return this.rec.timed('commit', ctx.jobId, undefined, async () => {
      const rows = chunks.reduce((n, c) => n + c.rows, 0);
      this.target.set(ctx.jobId, (this.target.get(ctx.jobId) ?? 0) + rows);
      this.states.set(ctx.jobId, state);
      this.dropStaging(ctx);
      return { rowsWritten: rows, rowsDeleted: 0, sinkVersion: `v${this.states.size}` };
    });
  }
  async abort(ctx: RunContext): Promise<void> {
    this.aborted.push(ctx.jobId);
    this.dropStaging(ctx);
  }
  async readState(jobId: string): Promise<JobState | undefined> {
    return this.states.get(jobId);
  }
  private dropStaging(ctx: RunContext): void {
    for (const k of [...this.staging.keys()]) if (k.startsWith(`${ctx.runId}/${ctx.jobId}/`)) this.staging.delete(k);
  }
}

const pos = { file: 'm.yaml', line: 1, col: 1 };

function depot(name: string, type: string): DepotManifest {
  return { type: 'depot', name, version: 'v1', source: pos, depot: { type: type as 'postgresql', secrets: [] } };
}

/** A manifest set with depots `src` (type fake-source) and `dst` (type fake-sink) and the given workflows. */
export function fakeSet(...workflows: WorkflowManifest[]): ManifestSet {
  const depots = [depot('src', 'fake-source'), depot('dst', 'fake-sink')];
  return { manifests: [...depots, ...workflows], depots, lakehouses: [], secrets: [], workflows };
}

/** A registry binding the fake depot types to the given doubles. */
export function fakeRegistry(source: FakeSource, sink: FakeSink): ConnectorRegistry {
  return new ConnectorRegistry().registerSource('fake-source', () => source).registerSink('fake-sink', () => sink);
}
