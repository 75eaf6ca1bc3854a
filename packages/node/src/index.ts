// The whole API is core's; this package adds what core leaves to its users: the drivers and plugins.
export * from '@paasmaker/core';
