import { describe, expect, it } from 'vitest';
import { undoAtVersion, type VersionedEntities } from '../../src/core/import/restore.js';

/** An in-memory store of versioned entities, as a target's storage would hold them. */
function store(rows: { id: number; name: string; version: number }[]) {
  const byId = new Map(rows.map((r) => [r.id, { ...r }]));
  const entities: VersionedEntities<{ id: number; name: string; version: number }> = {
    async versions(ids) {
      return new Map(
        ids.flatMap((id) => {
          const r = byId.get(id);
          return r ? [[id, { version: r.version, label: r.name }] as const] : [];
        }),
      );
    },
    async remove(ids) {
      for (const id of ids) byId.delete(id);
    },
    async restore(befores) {
      for (const b of befores) byId.set(b.id, { ...b, version: b.version + 2 });
    },
  };
  return { byId, entities };
}

describe('undo at the version the import left', () => {
  it('deletes what was created, restores what was updated, and leaves alone what changed or went since', async () => {
    const { byId, entities } = store([
      { id: 1, name: 'created', version: 1 },
      { id: 2, name: 'updated', version: 4 },
      { id: 3, name: 'edited later', version: 2 },
    ]);
    const outcomes = await undoAtVersion(
      [
        { entityId: 1, change: 'created', before: null, versionAfter: 1 },
        { entityId: 2, change: 'updated', before: { id: 2, name: 'as before', version: 3 }, versionAfter: 4 },
        { entityId: 3, change: 'created', before: null, versionAfter: 1 },
        { entityId: 4, change: 'created', before: null, versionAfter: 1 },
      ],
      entities,
      'widget',
    );
    expect(outcomes).toEqual([
      { entityId: 1, outcome: 'deleted' },
      { entityId: 2, outcome: 'restored' },
      {
        entityId: 3,
        outcome: 'conflict',
        label: 'edited later',
        reason: 'The widget was changed after the import; left as it is now.',
      },
      { entityId: 4, outcome: 'conflict', label: null, reason: 'The widget was deleted after the import.' },
    ]);
    expect([...byId.values()]).toEqual([
      { id: 2, name: 'as before', version: 5 },
      { id: 3, name: 'edited later', version: 2 },
    ]);
  });
});
