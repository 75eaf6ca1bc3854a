// @ts-check
// The three tree shapes of bench:jobs, each as a Paasmaker job spec and as a BullMQ flow.

/**
 * @typedef {{ title: string, children: TreeNode[] }} TreeNode
 * @typedef {{ name: string, jobs: number, paasmaker(): object, bullmq(queueName: string): object }} Shape
 */

/** @param {TreeNode} node @returns {object} */
const toSpec = (node) => ({ type: 'bench.noop', title: node.title, children: node.children.map(toSpec) });

/** @param {TreeNode} node @param {string} queueName @returns {object} */
const toFlow = (node, queueName) => ({
  name: node.title,
  queueName,
  data: {},
  children: node.children.map((child) => toFlow(child, queueName)),
});

/** @param {number} depth @returns {TreeNode} */
function chain(depth) {
  /** @type {TreeNode} */
  let node = { title: `link-${depth}`, children: [] };
  for (let level = depth - 1; level >= 1; level--) node = { title: `link-${level}`, children: [node] };
  return node;
}

/** @param {number} levels @param {string} title @returns {TreeNode} */
function binary(levels, title = 'node') {
  if (levels === 1) return { title, children: [] };
  return { title, children: [binary(levels - 1, `${title}.0`), binary(levels - 1, `${title}.1`)] };
}

/** @param {string} name @param {number} jobs @param {TreeNode} tree @returns {Shape} */
const shape = (name, jobs, tree) => ({
  name,
  jobs,
  paasmaker: () => toSpec(tree),
  bullmq: (queueName) => toFlow(tree, queueName),
});

/** @type {Shape[]} */
export const shapes = [
  shape('1 root + 1,000 leaves', 1001, {
    title: 'root',
    children: Array.from({ length: 1000 }, (_, i) => ({ title: `leaf-${i}`, children: [] })),
  }),
  shape('chain of depth 200', 200, chain(200)),
  shape('binary tree of 1,023', 1023, binary(10)),
];

/** How every case is run, for the report's header. */
export const concurrencyNote =
  'worker concurrency 16, one process per case, median of 5 timed runs after 3 warm-ups';
