import type pg from 'pg';
import type { NodePosition, NodeStore, TreeNode } from '../zk/index.js';

export type TreeName = 'issuance' | 'revocation';

/** A tree's non-empty nodes in `zk_tree_nodes`, read and written on the caller's connection (and transaction). */
export class PgNodeStore implements NodeStore {
  constructor(
    private readonly client: pg.ClientBase | pg.Pool,
    private readonly tree: TreeName,
  ) {}

  async getMany(positions: NodePosition[]): Promise<(bigint | undefined)[]> {
    const { rows } = await this.client.query<{ level: number; idx: number; hash: string }>(
      `SELECT level, idx, hash FROM zk_tree_nodes
        WHERE tree = $1 AND (level, idx) IN (SELECT * FROM unnest($2::int[], $3::int[]))`,
      [this.tree, positions.map((p) => p.level), positions.map((p) => p.index)],
    );
    const found = new Map(rows.map((r) => [`${r.level}:${r.idx}`, BigInt(r.hash)]));
    return positions.map((p) => found.get(`${p.level}:${p.index}`));
  }

  async put(nodes: TreeNode[]): Promise<void> {
    await this.client.query(
      `INSERT INTO zk_tree_nodes (tree, level, idx, hash)
       SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[])
       ON CONFLICT (tree, level, idx) DO UPDATE SET hash = EXCLUDED.hash`,
      [this.tree, nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash.toString())],
    );
  }
}
