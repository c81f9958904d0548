/**
 * Longest path through a dependency DAG: the lower bound on the wall time of a deployment in which
 * every resource starts as soon as everything it waits for has finished (unbounded parallelism).
 * Pure: plain nodes and edges in, numbers out.
 */

/** A resource and how long creating it takes (any unit, ≥ 0). */
export interface DagNode {
  id: string;
  latency: number;
}

/** `to` cannot start before `from` has finished. */
export interface DagEdge {
  from: string;
  to: string;
}

export interface CriticalPath {
  /** Finish time of the last resource in the earliest-start schedule: the lower bound. */
  length: number;
  /** Ids of one longest chain, first to last; empty for an empty graph. */
  path: string[];
  /** Earliest start of every node. */
  start: Map<string, number>;
  /** Earliest finish of every node (start + latency). */
  finish: Map<string, number>;
}

/** Node ids in an order where every edge goes forwards; throws on a cycle or an unknown id. */
export function topologicalOrder(nodes: DagNode[], edges: DagEdge[]): string[] {
  const indegree = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const n of nodes) {
    if (indegree.has(n.id)) throw new Error(`duplicate node ${n.id}`);
    indegree.set(n.id, 0);
    next.set(n.id, []);
  }
  for (const e of edges) {
    if (!indegree.has(e.from)) throw new Error(`edge from unknown node ${e.from}`);
    if (!indegree.has(e.to)) throw new Error(`edge to unknown node ${e.to}`);
    indegree.set(e.to, indegree.get(e.to)! + 1);
    next.get(e.from)!.push(e.to);
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.pop()!;
    order.push(id);
    for (const to of next.get(id)!) {
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((n) => indegree.get(n.id)! > 0).map((n) => n.id);
    throw new Error(`dependency cycle among ${stuck.slice(0, 5).join(", ")}`);
  }
  return order;
}

/**
 * The earliest-start schedule and one longest chain. Ties between equally long predecessors go to
 * the smallest id, so the reported path is deterministic.
 */
export function longestPath(nodes: DagNode[], edges: DagEdge[]): CriticalPath {
  const latency = new Map(nodes.map((n) => [n.id, n.latency]));
  for (const n of nodes) {
    if (!(n.latency >= 0) || !Number.isFinite(n.latency)) throw new Error(`bad latency of ${n.id}`);
  }
  const preds = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const order = topologicalOrder(nodes, edges);
  for (const e of edges) preds.get(e.to)!.push(e.from);
  const start = new Map<string, number>();
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const id of order) {
    let best = 0;
    let from: string | undefined;
    for (const p of preds.get(id)!) {
      const f = finish.get(p)!;
      if (from === undefined || f > best || (f === best && p < from)) {
        best = f;
        from = p;
      }
    }
    start.set(id, best);
    finish.set(id, best + latency.get(id)!);
    via.set(id, from);
  }
  let last: string | undefined;
  let length = 0;
  for (const n of nodes) {
    const f = finish.get(n.id)!;
    if (last === undefined || f > length || (f === length && n.id < last)) {
      last = n.id;
      length = f;
    }
  }
  const path: string[] = [];
  for (let id = last; id !== undefined; id = via.get(id)) path.unshift(id);
  return { length, path, start, finish };
}

/** Measured start and finish of a node in a simulated run. */
export interface Timing {
  start: number;
  end: number;
}

/** A node that started later than the finish of everything it declared it waits for. */
export interface HiddenWait {
  id: string;
  /** start − max(finish of its predecessors, or the run's first start for a root). */
  wait: number;
}

/**
 * Waits the declared graph does not explain: for each node, how long after its last declared
 * predecessor finished it actually started. Returned largest first, only those above `threshold`.
 */
export function hiddenWaits(
  nodes: DagNode[],
  edges: DagEdge[],
  timing: Map<string, Timing>,
  threshold: number,
): HiddenWait[] {
  const runStart = Math.min(...nodes.map((n) => timing.get(n.id)?.start ?? Infinity));
  const ready = new Map<string, number>(nodes.map((n) => [n.id, runStart]));
  for (const e of edges) {
    const f = timing.get(e.from)?.end;
    if (f !== undefined && f > ready.get(e.to)!) ready.set(e.to, f);
  }
  const waits: HiddenWait[] = [];
  for (const n of nodes) {
    const t = timing.get(n.id);
    if (!t) continue;
    const wait = t.start - ready.get(n.id)!;
    if (wait > threshold) waits.push({ id: n.id, wait });
  }
  return waits.sort((a, b) => b.wait - a.wait || a.id.localeCompare(b.id));
}
