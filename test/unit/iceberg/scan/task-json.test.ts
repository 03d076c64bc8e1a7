import { planFiles, rowEvaluator, tasksFromJson, tasksToJson } from '../../../../core/iceberg/scan';
import { fixtureReader, loadFixture } from './fixture-resolver';

describe('scan tasks as json', () => {
  it('round-trip losslessly, residual evaluators included', async () => {
    const { root, meta } = loadFixture('impala-v2-delete-equality-partitioned');
    const plan = await planFiles(meta, fixtureReader(root, meta), { filter: "d >= '2023-12-24' and i > 1" });
    expect(plan.tasks.length).toBeGreaterThan(0);
    const back = tasksFromJson(tasksToJson(plan.tasks));
    expect(back).toEqual(plan.tasks);
    const first = back[0];
    if (first) expect(typeof rowEvaluator(first.residual)).toBe('function');
  });

  it('keeps NaN, bytes and 64-bit ids', () => {
    const task = {
      dataFile: {
        content: 0,
        filePath: 'p',
        fileFormat: 'PARQUET',
        partition: [Number.NaN, Uint8Array.of(1, 2), 2n ** 63n - 1n],
        recordCount: 1,
        fileSizeInBytes: 1,
        lowerBounds: new Map([[1, Uint8Array.of(9)]]),
      },
      specId: 0,
      schemaId: 0,
      partition: [],
      dataSequenceNumber: 9223372036854775807n,
      deletes: [],
      residual: { type: 'true' as const },
    };
    expect(tasksFromJson(tasksToJson([task]))).toEqual([task]);
  });

  it('rejects text that is not a task list', () => {
    expect(() => tasksFromJson('{"a":1}', 'chunk 3')).toThrow(/invalid chunk 3: not a list of scan tasks/);
    expect(() => tasksFromJson('{', 'chunk 4')).toThrow(/invalid chunk 4/);
  });
});
