import { join } from 'node:path';
import { loadManifests } from '../../../core/manifest';
import { workflowDefinition } from '../../../statemachines';
import { expectValid } from './asl-validate';

const QUICKSTART = join(__dirname, '..', '..', '..', 'examples', 'quickstart');

describe('quickstart state machine', () => {
  it('is valid ASL, chains load-orders before nb-job-01, and is pinned by a snapshot', async () => {
    const { set, problems } = await loadManifests([QUICKSTART]);
    expect(problems).toEqual([]);
    const wf = set.workflows.find((w) => w.name === 'nb-lh-aws-test-01');
    if (!wf) throw new Error('quickstart workflow missing');
    const def = workflowDefinition(wf);
    expectValid(def);
    expect(def.StartAt).toBe('load-orders');
    expect(def.States['load-orders']?.Next).toBe('nb-job-01');
    expect(def).toMatchSnapshot();
  });
});
