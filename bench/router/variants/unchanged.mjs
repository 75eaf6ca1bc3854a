// @ts-check
// The router as it is, in a column of its own: an A/A comparison, so the line
// `variant: unchanged / router` shows how far two identical routers differ in one run.
export default { name: 'unchanged' };
