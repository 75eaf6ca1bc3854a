// @ts-check
// The tree shapes of bench:jobs, each as a Paasmaker job spec, a BullMQ flow and a plain tree
// (for the minimal engine).

/**
 * @typedef {{ title: string, children: TreeNode[] }} TreeNode
 * @typedef {{ name: string, jobs: number, tree: TreeNode, paasmaker(): object, bullmq(queueName: string): object }} Shape
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
  tree,
  paasmaker: () => toSpec(tree),
  bullmq: (queueName) => toFlow(tree, queueName),
});

/** A tree of `jobs` jobs: one root and `jobs - 1` leaves. @param {number} jobs @returns {Shape} */
export const wideShape = (jobs) =>
  shape(`1 root + ${(jobs - 1).toLocaleString('en')} leaves`, jobs, {
    title: 'root',
    children: Array.from({ length: jobs - 1 }, (_, i) => ({ title: `leaf-${i}`, children: [] })),
  });

/** @type {Shape[]} */
export const shapes = [
  wideShape(1001),
  shape('chain of depth 200', 200, chain(200)),
  shape('binary tree of 1,023', 1023, binary(10)),
];

/** Sizes of the scaling rows: trees of 1 root + (size - 1) leaves. */
export const scalingSizes = [1_000, 10_000, 100_000];
