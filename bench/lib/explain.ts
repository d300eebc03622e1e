import {
  CompiledQuery,
  createQueryId,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { AppContext } from '../../src/app/context.js';
import type { Dialect } from '../../src/storage/database.js';

/** Records every query a use case sends, unchanged, so that its plan can be asked for afterwards. */
class CapturePlugin implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push(args.node);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** Runs `work` once with a context whose database records its queries; returns them compiled. */
export async function captureQueries(
  ctx: AppContext,
  work: (ctx: AppContext) => Promise<unknown>,
): Promise<CompiledQuery[]> {
  const plugin = new CapturePlugin();
  const db = ctx.db.withPlugin(plugin);
  await work({ ...ctx, db });
  const executor = ctx.db.getExecutor();
  return plugin.nodes.map((node) => executor.compileQuery(node, createQueryId()));
}

/**
 * The plan of one query: EXPLAIN QUERY PLAN on SQLite (a tree of steps), EXPLAIN (ANALYZE, BUFFERS)
 * on PostgreSQL (the query runs, with real row counts and times).
 */
export async function explain(ctx: AppContext, dialect: Dialect, query: CompiledQuery): Promise<string> {
  if (dialect === 'sqlite') {
    const r = await ctx.db.executeQuery<{ id: number; parent: number; detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    const depth = new Map<number, number>([[0, 0]]);
    return r.rows
      .map((row) => {
        const d = (depth.get(row.parent) ?? 0) + 1;
        depth.set(row.id, d);
        return `${'  '.repeat(d)}${row.detail}`;
      })
      .join('\n');
  }
  const r = await ctx.db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`explain (analyze, buffers) ${query.sql}`, [...query.parameters]),
  );
  return r.rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n');
}

/** The SQL with its parameters written in, for reading (not for running). */
export function readableSql(query: CompiledQuery): string {
  let i = 0;
  const params = query.parameters;
  return query.sql.replace(/\?|\$\d+/g, (m) => {
    const index = m === '?' ? i++ : Number(m.slice(1)) - 1;
    const v = params[index];
    return typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v);
  });
}
