/** JSON Schema for the `paasmaker.scm.git` plugin's options. */
export const gitScmOptionsSchema = {
  type: 'object',
  properties: {
    cacheDirectory: {
      type: 'string',
      minLength: 1,
      description:
        "Folder for the persistent mirrors, one per repository location; default the node's `<dataFolder>/git-cache`.",
    },
    gitBinary: { type: 'string', minLength: 1, default: 'git', description: 'The git executable.' },
    timeoutSeconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 300,
      description: 'How long one checkout (fetch and write) may take before git is killed.',
    },
  },
  additionalProperties: false,
} as const;

/** JSON Schema for the parameters of a `paasmaker.scm.git` checkout (manifest or API). */
export const gitScmParametersSchema = {
  type: 'object',
  properties: {
    location: {
      type: 'string',
      minLength: 1,
      description: 'Repository: a local path, an http(s)/ssh/git/file URL, or user@host:path.',
    },
    branch: {
      type: 'string',
      minLength: 1,
      description: "Branch to check out; default: the repository's default branch (its HEAD).",
    },
    revision: {
      type: 'string',
      minLength: 1,
      description: 'Commit id, tag or ref to check out; wins over branch when both are given.',
    },
  },
  required: ['location'],
  additionalProperties: false,
} as const;
