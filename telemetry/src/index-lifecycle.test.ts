import { describe, expect, it } from 'vitest';
import { bootstrapIndexBody, ilmPolicyBody, rolloverRequestBody } from './index-lifecycle.ts';

describe('index lifecycle', () => {
  it('rolls over daily or at 50 GB per shard and deletes after 35 days by default', () => {
    expect(ilmPolicyBody().policy.phases).toEqual({
      hot: { actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
      delete: { min_age: '35d', actions: { delete: {} } },
    });
    expect(rolloverRequestBody()).toEqual({ conditions: { max_age: '1d', max_primary_shard_size: '50gb' } });
  });

  it('takes other rollover conditions and retention', () => {
    const policy = ilmPolicyBody({ rollover: { max_docs: 1000 }, retention: '7d' });
    expect(policy.policy.phases.hot.actions.rollover).toEqual({ max_docs: 1000 });
    expect(policy.policy.phases.delete.min_age).toBe('7d');
  });

  it('bootstraps the first portable index as the write index of the alias', () => {
    expect(bootstrapIndexBody()).toEqual({ aliases: { 'lookout-requests': { is_write_index: true } } });
  });
});
