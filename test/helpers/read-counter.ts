// Counts the reads a piece of code makes, per table: `db.withPlugin(counter)` hands the code a
// database (and its transactions) whose every select from a table is counted before it runs.
import {
  AliasNode, TableNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow,
} from 'kysely';

export class ReadCounter implements KyselyPlugin {
  readonly #reads = new Map<string, number>();

  /** Selects from `table` so far. */
  of(table: string): number {
    return this.#reads.get(table) ?? 0;
  }

  clear(): void {
    this.#reads.clear();
  }

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'SelectQueryNode') {
      for (const from of node.from?.froms ?? []) {
        const table = AliasNode.is(from) ? from.node : from;
        if (TableNode.is(table)) {
          const name = table.table.identifier.name;
          this.#reads.set(name, this.of(name) + 1);
        }
      }
    }
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}
